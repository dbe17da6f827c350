import { account, explain } from './account.js';
import { Call } from './call.js';
import { CallView } from './callview.js';
import { Chat } from './chat.js';
import { CallQuality } from './quality.js';
import { QualityView } from './qualityview.js';
import { Connection } from './connection.js';
import { byId } from './dom.js';
import { Files } from './files.js';
import { FileView } from './fileview.js';
import { MembersPanel } from './memberspanel.js';
import { Notifier } from './notifier.js';
import { prefs } from './prefs.js';
import { RoomView } from './roomview.js';
import { SearchPanel } from './searchpanel.js';
import { Sidebar, roomFromHash, roomHash } from './sidebar.js';
import { Switcher } from './switcher.js';

/** @typedef {import('./connection.js').ConnectionState} ConnectionState */
/** @typedef {import('./account.js').User} User */
/** @typedef {import('./account.js').SessionState} SessionState */

const authScreen = byId('auth-screen');
const signinForm = /** @type {HTMLFormElement} */ (byId('signin-form'));
const signupForm = /** @type {HTMLFormElement} */ (byId('signup-form'));
const signinNote = byId('signin-note');
const signupNote = byId('signup-note');
const signinError = byId('signin-error');
const signupError = byId('signup-error');
const showSignup = byId('show-signup');
const appShell = byId('app');
const status = byId('connection-status');
const meName = byId('me-name');
const passwordScreen = byId('password-screen');
const passwordForm = /** @type {HTMLFormElement} */ (byId('password-form'));
const passwordError = byId('password-error');
const passwordDone = byId('password-done');
const inviteScreen = byId('invite-screen');
const inviteLink = /** @type {HTMLInputElement} */ (byId('invite-link'));
const inviteError = byId('invite-error');

/** @type {Connection|null} */
let conn = null;
/** An invitation code from the link that opened the page (`#invite=<code>`), until it is used. */
let invitation = '';

/**
 * @param {HTMLElement} el
 * @param {string} text
 */
function say(el, text) {
  el.textContent = text;
  el.hidden = !text;
}

/**
 * Shows the sign-in screen, or the sign-up form when that is what this visitor needs (the very first
 * account, or an invitation link).
 * @param {SessionState} state
 * @param {{note?: string}} [options]
 */
function showAuth(state, { note = '' } = {}) {
  authScreen.hidden = false;
  appShell.inert = true;
  const mayCreate = state.signup === 'open' || state.firstAccount || invitation !== '';
  showSignup.hidden = !mayCreate;
  say(signinNote, note);
  if (state.firstAccount) say(signupNote, 'Welcome! This is the first account: it will be the admin of this Parley.');
  else if (invitation) say(signupNote, 'You are invited: choose a username and a password.');
  else say(signupNote, '');
  showForm(mayCreate && (state.firstAccount || invitation !== '') ? 'signup' : 'signin');
}

/** @param {'signin'|'signup'} which */
function showForm(which) {
  signinForm.hidden = which !== 'signin';
  signupForm.hidden = which !== 'signup';
  say(signinError, '');
  say(signupError, '');
  /** @type {HTMLInputElement} */ (byId(`${which}-username`)).focus();
}

/**
 * After a sign-in: the first time, the chat starts; when a chat already ran (its session ended), the page
 * starts afresh, so that nothing of the previous session stays in it.
 * @param {User} user
 */
function signedIn(user) {
  if (conn) {
    location.reload();
    return;
  }
  authScreen.hidden = true;
  appShell.inert = false;
  enter(user);
}

/** @param {ConnectionState} state */
function showState(state) {
  document.body.dataset.connection = state;
  status.textContent = navigator.onLine ? 'Reconnecting…' : 'You are offline';
  status.hidden = state === 'open';
}

/**
 * Starts the chat as `user`: one connection, one Chat, the views bound to it.
 * @param {User} user
 */
function enter(user) {
  appShell.hidden = false;
  meName.textContent = user.name;
  meName.title = `Signed in as ${user.username}`;
  byId('invite-button').hidden = user.role !== 'admin';
  const connection = (conn = new Connection());
  const chat = new Chat(connection, { admin: user.role === 'admin' });
  const files = new Files(connection, chat);
  const roomView = new RoomView(chat, files, new FileView(files));
  new Sidebar(chat);
  new Switcher(chat);
  new SearchPanel(chat);
  new MembersPanel(chat);
  new Notifier(chat, /** @type {HTMLButtonElement} */ (byId('notify-button')));
  const call = new Call(connection, chat);
  const quality = new CallQuality(call, connection);
  new CallView(chat, call, quality);
  new QualityView(call, quality);
  // For the browser tests and for anyone debugging a call from the console.
  window.parleyCall = { peers: () => call.connections(), report: () => quality.reportSoFar() };
  // The same, for file transfers.
  window.parleyFiles = files;

  showState(connection.state);
  connection.on('state', showState);
  window.addEventListener('offline', () => showState(connection.state));
  window.addEventListener('online', () => showState(connection.state));
  connection.on('welcome', (welcome) => {
    meName.textContent = welcome.name;
    roomView.setMaxChars(welcome.limits?.maxTextChars ?? 0);
    chat.unreadMax = welcome.limits?.unreadCountMax ?? Infinity;
  });
  // Signed out elsewhere, the password changed on another device, or the account disabled.
  connection.on('signedout', async () => {
    status.hidden = true;
    const state = await account.session().catch(() => ({ user: null, signup: 'invite', firstAccount: false }));
    showAuth(/** @type {SessionState} */ (state), { note: 'Your session has ended. Sign in again.' });
  });

  // The URL is the source of truth for which room is open; the chat reports back
  // when it closes a room itself (left, or no longer exists).
  window.addEventListener('hashchange', () => chat.open(roomFromHash(location.hash)));
  chat.on('current', (/** @type {string|null} */ id) => {
    if (roomFromHash(location.hash) !== id) {
      history.replaceState(null, '', id ? roomHash(id) : location.pathname + location.search);
    }
  });
  chat.on('created', (/** @type {string} */ id) => {
    location.hash = roomHash(id);
  });

  chat.open(roomFromHash(location.hash));
  connection.start();
}

/**
 * Runs a form's request with its submit button disabled, showing what went wrong in `errorEl`.
 * @template T
 * @param {HTMLFormElement} form @param {HTMLElement} errorEl @param {() => Promise<T>} request
 * @returns {Promise<T|undefined>}
 */
async function submitting(form, errorEl, request) {
  const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
  button.disabled = true;
  say(errorEl, '');
  try {
    return await request();
  } catch (err) {
    say(errorEl, explain(err));
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/** @param {HTMLFormElement} form @param {string} name */
function field(form, name) {
  return /** @type {HTMLInputElement} */ (form.elements.namedItem(name)).value;
}

signinForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const user = await submitting(signinForm, signinError, () => account.signIn(field(signinForm, 'username').trim(), field(signinForm, 'password')));
  if (user) signedIn(user);
});

signupForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  /** @type {{username: string, password: string, name?: string, invitation?: string}} */
  const fields = { username: field(signupForm, 'username').trim(), password: field(signupForm, 'password') };
  const name = field(signupForm, 'name').trim();
  if (name) fields.name = name;
  if (invitation) fields.invitation = invitation;
  const user = await submitting(signupForm, signupError, () => account.signUp(fields));
  if (user) {
    invitation = '';
    signedIn(user);
  }
});

showSignup.addEventListener('click', () => showForm('signup'));
byId('show-signin').addEventListener('click', () => showForm('signin'));

byId('signout-button').addEventListener('click', async () => {
  conn?.stop();
  try {
    await account.signOut();
  } catch (err) {
    console.warn('signing out:', err);
  }
  prefs.forgetAccount();
  location.reload();
});

byId('password-button').addEventListener('click', () => {
  passwordForm.reset();
  say(passwordError, '');
  passwordDone.hidden = true;
  passwordScreen.hidden = false;
  appShell.inert = true;
  /** @type {HTMLInputElement} */ (byId('password-current')).focus();
});
passwordForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  passwordDone.hidden = true;
  const done = await submitting(passwordForm, passwordError,
    () => account.changePassword(field(passwordForm, 'current'), field(passwordForm, 'password')).then(() => true));
  if (done) {
    passwordForm.reset();
    passwordDone.hidden = false;
  }
});
byId('password-cancel').addEventListener('click', () => {
  passwordScreen.hidden = true;
  appShell.inert = false;
});

byId('invite-button').addEventListener('click', async () => {
  inviteLink.value = '';
  say(inviteError, '');
  inviteScreen.hidden = false;
  appShell.inert = true;
  try {
    const { code } = await account.invite();
    inviteLink.value = `${location.origin}${location.pathname}#invite=${encodeURIComponent(code)}`;
    inviteLink.select();
  } catch (err) {
    say(inviteError, explain(err));
  }
});
byId('invite-copy').addEventListener('click', async () => {
  inviteLink.select();
  try {
    await navigator.clipboard.writeText(inviteLink.value);
    say(inviteError, '');
  } catch {
    // The clipboard needs HTTPS (or localhost): the link is selected, to copy by hand.
    say(inviteError, 'Copy the selected link by hand (Ctrl+C).');
  }
});
byId('invite-close').addEventListener('click', () => {
  inviteScreen.hidden = true;
  appShell.inert = false;
});

/** Asks who is signed in here, and starts the chat or shows the sign-in screen; retries while the server is away. */
async function boot() {
  const match = /^#invite=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (match) {
    invitation = match[1];
    // The code is a secret: keep it out of the address bar, the history and the room links.
    history.replaceState(null, '', location.pathname + location.search);
  }
  prefs.forgetGuest();
  for (let delay = 1000; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      const state = await account.session();
      if (state.user) signedIn(state.user);
      else showAuth(state);
      return;
    } catch (err) {
      showState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

boot();
