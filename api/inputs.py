"""Request fields that carry amounts, under the same rules as the CLI and the SDK.

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
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from rdh_chain.exceptions import InvalidInputError
from rdh_chain.limits import UINT256, Limit
from rdh_chain.validation import (
    AMOUNT_FORM,
    COUNT_FORM,
    format_amount,
    parse_amount,
    parse_count,
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
        return {
            "description": f"RMB: {AMOUNT_FORM}; at most {format_amount(self.limit.max)} RMB.",
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
            "examples": ["20,000"],
        }


def _unprocessable(exc: InvalidInputError) -> PydanticCustomError:
    # The message goes in the context, so that a "{...}" someone sent is not a template;
    # the error handler ends the answer with its own full stop.
    return PydanticCustomError("rdh_input", "{reason}", {"reason": str(exc).rstrip(".")})
