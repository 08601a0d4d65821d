// The gateway's JSON endpoints. A failed answer throws an Error whose message is the
// gateway's `detail` (which says what to do) and whose `error` and `status` are kept.

export class GatewayError extends Error {
  constructor(message, status, error) {
    super(message);
    this.status = status;
    this.error = error;
  }
}

async function call(method, path, body) {
  let response;
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new GatewayError(
      "The gateway does not answer; check your connection and reload the page.",
      0,
      "offline",
    );
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = answer && answer.detail ? answer.detail : `The gateway answered ${response.status}.`;
    throw new GatewayError(
      typeof detail === "string" ? detail : JSON.stringify(detail),
      response.status,
      answer && answer.error,
    );
  }
  return answer;
}

export const getJson = (path) => call("GET", path);
export const postJson = (path, body) => call("POST", path, body === undefined ? {} : body);

/** GET a text resource (an SVG chart, a CSV file). */
export async function getText(path) {
  const response = await fetch(path, { credentials: "same-origin" });
  const text = await response.text();
  if (!response.ok) {
    let detail = `The gateway answered ${response.status}.`;
    try {
      detail = JSON.parse(text).detail || detail;
    } catch {
      /* not JSON */
    }
    throw new GatewayError(detail, response.status);
  }
  return text;
}

/** Query text from an object, leaving out empty values; arrays repeat the key. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
