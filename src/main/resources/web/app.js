import { Call } from './call.js';
import { CallView } from './callview.js';
import { Chat } from './chat.js';
import { Connection } from './connection.js';
import { byId } from './dom.js';
import { Files } from './files.js';
import { FileView } from './fileview.js';
import { prefs } from './prefs.js';
import { RoomView } from './roomview.js';
import { Sidebar, roomFromHash, roomHash } from './sidebar.js';

/** @typedef {import('./connection.js').ConnectionState} ConnectionState */

const helloScreen = byId('hello-screen');
const helloForm = /** @type {HTMLFormElement} */ (byId('hello-form'));
const nameInput = /** @type {HTMLInputElement} */ (byId('name-input'));
const helloError = byId('hello-error');
const nameCancel = byId('name-cancel');
const appShell = byId('app');
const status = byId('connection-status');
const meName = byId('me-name');

/** @type {Connection|null} */
let conn = null;

/**
 * Shows the name form: on first visit, when the server refused the name, or to change it.
 * @param {{error?: string, changing?: boolean}} [options]
 */
function askName({ error = '', changing = false } = {}) {
  helloScreen.hidden = false;
  appShell.inert = true;
  nameInput.value = changing ? prefs.name() ?? '' : nameInput.value;
  helloError.textContent = error;
  helloError.hidden = !error;
  nameCancel.hidden = !changing;
  nameInput.focus();
  nameInput.select();
}

function closeNameForm() {
  helloScreen.hidden = true;
  appShell.inert = false;
}

/** @param {ConnectionState} state */
function showState(state) {
  document.body.dataset.connection = state;
  status.textContent = 'Reconnecting…';
  status.hidden = state === 'open';
}

/**
 * Starts the chat as `name`: one connection, one Chat, the views bound to it.
 * @param {string} name
 */
function enter(name) {
  appShell.hidden = false;
  closeNameForm();
  const connection = (conn = new Connection(name));
  const chat = new Chat(connection);
  const files = new Files(connection, chat);
  const roomView = new RoomView(chat, files, new FileView(files));
  new Sidebar(chat);
  const call = new Call(connection, chat);
  new CallView(chat, call);
  // For the browser tests and for anyone debugging a call from the console.
  window.parleyCall = { peers: () => call.connections() };
  // The same, for file transfers.
  window.parleyFiles = files;

  showState(connection.state);
  connection.on('state', showState);
  connection.on('welcome', (welcome) => {
    meName.textContent = welcome.name;
    roomView.setMaxChars(welcome.limits?.maxTextChars ?? 0);
  });
  connection.on('rejected', (/** @type {Error} */ err) => {
    prefs.setName(null);
    askName({ error: `That name cannot be used: ${err.message}` });
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

helloForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const name = nameInput.value.trim();
  if (!name) {
    askName({ error: 'Please enter a name.' });
    return;
  }
  prefs.setName(name);
  if (conn) {
    closeNameForm();
    conn.rename(name);
  } else {
    enter(name);
  }
});
nameCancel.addEventListener('click', closeNameForm);
byId('change-name').addEventListener('click', () => askName({ changing: true }));

const storedName = prefs.name();
if (storedName) enter(storedName);
else askName();
