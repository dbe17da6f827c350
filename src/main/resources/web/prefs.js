// Everything the client keeps in localStorage, in one place so the keys are documented once.
// Storage can throw (private mode, quota, disabled): the client then works without memory.

// Kept by the guest-era client; removed at start (the token was a secret).
const GUEST_KEYS = ['parley.name', 'parley.token'];
const JOINED = 'parley.joined';
// What the page read was kept here before the server kept read markers; forgotten at sign-out.
const SEEN = 'parley.seen.';
const DEVICE = 'parley.device.';

/** @param {string} key @returns {string|null} */
function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** @param {string} key @param {string|null} value */
function write(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Not remembering is acceptable; failing the UI is not.
  }
}

export const prefs = {
  forgetGuest() {
    for (const key of GUEST_KEYS) write(key, null);
  },

  /** Forgets what this browser remembered of the account that signs out: its rooms and what it read there. */
  forgetAccount() {
    write(JOINED, null);
    try {
      for (const key of Object.keys(localStorage)) if (key.startsWith(SEEN)) localStorage.removeItem(key);
    } catch {
      // Nothing to forget, then.
    }
  },

  /** @returns {string[]} ids of the rooms the person has joined, in joining order */
  joined() {
    try {
      const list = JSON.parse(read(JOINED) ?? '[]');
      return Array.isArray(list) ? list.filter((id) => typeof id === 'string') : [];
    } catch {
      return [];
    }
  },
  /** @param {string} roomId */
  addJoined(roomId) {
    const list = prefs.joined();
    if (!list.includes(roomId)) write(JOINED, JSON.stringify([...list, roomId]));
  },
  /** @param {string} roomId */
  removeJoined(roomId) {
    write(JOINED, JSON.stringify(prefs.joined().filter((id) => id !== roomId)));
  },

  /** @param {'mic'|'camera'} kind @returns {string|null} the deviceId chosen last time */
  device: (kind) => read(DEVICE + kind),
  /** @param {'mic'|'camera'} kind @param {string} deviceId */
  setDevice: (kind, deviceId) => write(DEVICE + kind, deviceId),
};
