// Loads extension.js with stand-ins for the `vscode` API and vscode-languageclient, activates
// it, and prints (as JSON) the server command it starts: the default, then a configured one.
//
//   node test/extension.cjs
'use strict';

const Module = require('node:module');
const path = require('node:path');

const started = [];
let settings = {};
const fakeVscode = {
  workspace: {
    getConfiguration: () => ({ get: (key, fallback) => (key in settings ? settings[key] : fallback) }),
    createFileSystemWatcher: (glob) => ({ glob }),
    onDidChangeConfiguration: () => ({ dispose() {} }),
  },
  window: { showErrorMessage: (message) => started.push({ error: message }) },
  commands: { registerCommand: (name) => ({ name, dispose() {} }), executeCommand: async () => {} },
};
class FakeClient {
  constructor(id, name, server, client) {
    this.record = { id, command: server.command, args: server.args, selector: client.documentSelector };
  }
  async start() { started.push(this.record); }
  async stop() {}
}
const fakeClient = { LanguageClient: FakeClient, TransportKind: { stdio: 0 } };

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') return fakeVscode;
  if (request === 'vscode-languageclient/node') return fakeClient;
  return load.call(this, request, parent, isMain);
};

(async () => {
  const extension = require(path.resolve(__dirname, '..', 'extension.js'));
  await extension.activate({ subscriptions: [] });
  settings = { 'server.command': '/opt/venv/bin/regdsl', 'server.args': ['lsp'] };
  delete require.cache[require.resolve(path.resolve(__dirname, '..', 'extension.js'))];
  await require(path.resolve(__dirname, '..', 'extension.js')).activate({ subscriptions: [] });
  settings = { 'server.enabled': false };
  await require(path.resolve(__dirname, '..', 'extension.js')).activate({ subscriptions: [] });
  process.stdout.write(JSON.stringify(started) + '\n');
})();
