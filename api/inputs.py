"""Request fields: addresses, and amounts under the same rules as the CLI and the SDK.

Every address a route takes (path or query) is declared with one of the aliases below, so
the OpenAPI document gives its pattern (:data:`ADDRESS_PATTERN`) and an example naming the
deployment's real EMC or member (:mod:`api.examples` fills them in); a value of another form
is a 422 before the route runs, and the answer quotes a short prefix of it, never all of it.
The route still passes the value through ``to_address`` (a mixed-case address must carry a
valid EIP-55 checksum, which no pattern can say).

The gateway only reads today, so no route takes an amount yet. One that does declares
the field with these types, never a bare ``int`` or ``float``::

    revenue: Annotated[int, RmbAmount(limits.REPORT_REVENUE)]   # "1,234.56" -> 123456 fen
    users: Annotated[int, Count(limits.REPORT_USERS)]

The text is parsed by ``rdh_chain.validation`` (the accepted form, the contract field's
range), and a refusal is a 422 whose ``detail`` says what to send instead. Amounts are
sent as JSON strings: a JSON number such as ``1e30`` or ``0.1`` is a float, which cannot
carry fen exactly.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from eth_typing import ChecksumAddress
from fastapi import Path, Query
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from rdh_chain.exceptions import InvalidInputError
from rdh_chain.limits import UINT256, Limit
from rdh_chain.types import TOTAL_BPS
from rdh_chain.validation import (
    AMOUNT_FORM,
    AMOUNT_PATTERN,
    COUNT_FORM,
    COUNT_PATTERN,
    format_amount,
    parse_amount,
    parse_count,
    to_address,
)

ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"
ADDRESS_FORM = "0x followed by 40 hex digits"
HEX32_PATTERN = r"^0x[0-9a-fA-F]{64}$"  # a hash or another bytes32
# What a parameter's pattern asks for, in the words a refusal uses.
PATTERN_FORMS = {ADDRESS_PATTERN: ADDRESS_FORM, HEX32_PATTERN: "0x followed by 64 hex digits"}
# Stand-ins the OpenAPI document replaces with the deployment's first EMC and its admin (a
# registered member); without a deployment record they stay, as well-formed addresses.
EMC_EXAMPLE = "0x00000000000000000000000000000000000e3c01"
MEMBER_EXAMPLE = "0x0000000000000000000000000000000000a11ce1"
# Said in every address's description: the one rule the pattern cannot state.
_CHECKSUM_NOTE = "in one case, or mixed case with its EIP-55 checksum"
# FastAPI's error type for a refused address; its message is the SDK's, whole.
ADDRESS_ERROR = "rdh_address"


@lru_cache(maxsize=8_192)
def checked_address(value: str, what: str) -> ChecksumAddress:
    """:func:`rdh_chain.validation.to_address`, remembered: an EIP-55 checksum is a keccak,
    which would cost a cached read more than the rest of it (every route checks its path's
    address, some twice). Only good addresses are kept: a bad one raises, and an exception
    is not remembered."""
    return to_address(value, what)


@dataclass(frozen=True)
class AddressText:
    """``Annotated[str, AddressText("EMC address")]``: an address, checked by the SDK's
    ``to_address`` (its message names ``what``) and given as its checksum form; the schema
    declares :data:`ADDRESS_PATTERN`."""

    what: str

    def _validate(self, value: str) -> str:
        try:
            return checked_address(value, self.what)
        except InvalidInputError as exc:
            raise PydanticCustomError(
                ADDRESS_ERROR, "{reason}", {"reason": str(exc).rstrip(".")}
            ) from exc

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            self._validate, core_schema.str_schema()
        )

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "pattern": ADDRESS_PATTERN}


def address_path(description: str, example: str) -> Any:
    """``Path(...)`` for an address (beside its :class:`AddressText`): ``description`` (the
    form is appended) and ``example`` (:data:`EMC_EXAMPLE` or :data:`MEMBER_EXAMPLE`)."""
    return Path(description=f"{description}: {ADDRESS_FORM}, {_CHECKSUM_NOTE}.", examples=[example])


def address_query(description: str, example: str) -> Any:
    """``Query(...)`` for an optional address, as :func:`address_path`."""
    return Query(
        description=f"{description}: {ADDRESS_FORM}, {_CHECKSUM_NOTE}.", examples=[example]
    )


class _TextNumber(ABC):
    """A number sent as text: ``parse`` turns it into an int or raises ``InvalidInputError``;
    the schema hooks make pydantic call it and document the accepted form."""

    @abstractmethod
    def parse(self, value: Any) -> int: ...

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """The JSON schema's description and examples."""

    def _validate(self, value: Any) -> int:
        try:
            return self.parse(value)
        except InvalidInputError as exc:
            raise _unprocessable(exc) from exc

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self._validate)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", **self.describe()}


@dataclass(frozen=True)
class RmbAmount(_TextNumber):
    """``Annotated[int, RmbAmount(limit)]``: RMB text in, fen out (zero refused if
    ``positive``)."""

    limit: Limit = UINT256
    positive: bool = False

    def parse(self, value: Any) -> int:
        return parse_amount(value, "", self.limit, positive=self.positive)

    def describe(self) -> dict[str, Any]:
        more = "more than 0 and " if self.positive else ""
        return {
            "description": f"RMB: {AMOUNT_FORM}; {more}at most {format_amount(self.limit.max)} "
            "RMB.",
            "pattern": AMOUNT_PATTERN,
            "examples": ["1,234.56"],
        }


@dataclass(frozen=True)
class Count(_TextNumber):
    """``Annotated[int, Count(limit)]``: a whole number (users, units) as text."""

    limit: Limit = UINT256

    def parse(self, value: Any) -> int:
        return parse_count(value, "", self.limit)

    def describe(self) -> dict[str, Any]:
        return {
            "description": f"A whole number: {COUNT_FORM}; at most {self.limit.max:,}.",
            "pattern": COUNT_PATTERN,
            "examples": ["20,000"],
        }


@dataclass(frozen=True)
class Bps:
    """``Annotated[int, Bps()]``: basis points of profit, a whole number from 0 to 10,000
    (100.00%); anything else is a 422 saying so."""

    @staticmethod
    def _no_bool(value: Any) -> Any:
        if isinstance(value, bool):
            raise _bps_error(f"{value} is not a number")
        return value

    def _validate(self, value: int) -> int:
        if value > TOTAL_BPS:
            raise _bps_error(f"{value:,} bps is more than {TOTAL_BPS:,} bps (100.00% of profit)")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(
            self._no_bool,
            core_schema.no_info_after_validator_function(
                self._validate, core_schema.int_schema(ge=0)
            ),
        )

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            **handler(schema),
            "maximum": TOTAL_BPS,
            "description": "Basis points of profit: 0 to 10,000 (600 is 6.00%).",
            "examples": [600],
        }


def _bps_error(problem: str) -> PydanticCustomError:
    return PydanticCustomError(
        "rdh_input",
        "{reason}",
        {"reason": f"{problem}; give basis points from 0 to 10,000 (600 is 6.00%)"},
    )


def _unprocessable(exc: InvalidInputError) -> PydanticCustomError:
    # The message goes in the context, so that a "{...}" someone sent is not a template;
    # the error handler ends the answer with its own full stop.
    return PydanticCustomError("rdh_input", "{reason}", {"reason": str(exc).rstrip(".")})


EmcAddressPath = Annotated[
    str, address_path("The EMC's address", EMC_EXAMPLE), AddressText("EMC address")
]
MemberAddressPath = Annotated[
    str, address_path("The member's wallet address", MEMBER_EXAMPLE), AddressText("member address")
]
AccountAddressPath = Annotated[
    str,
    address_path("The account's address (a member's or any other)", MEMBER_EXAMPLE),
    AddressText("account address"),
]
MemberAddressQuery = Annotated[
    str | None,
    address_query("Only rows naming this address", MEMBER_EXAMPLE),
    AddressText("member address"),
]
