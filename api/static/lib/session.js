// What the page knows about who is using it.
export const session = {
  viewer: null, // {address, roles, ...} from GET /auth/me once signed in
  directory: [], // GET /members: every member with its name
  chainId: null,
  demo: null, // GET /demo/wallets in the `make run` demo: its seeded wallets
};

export function signedInAddress() {
  return session.viewer ? session.viewer.address : null;
}

export function hasRole(role) {
  return Boolean(session.viewer && (session.viewer.roles || []).includes(role));
}
