// Starts the regdsl language server (`regdsl lsp`, over stdio) for .reg books.
//
// The command is the setting `regdsl.server.command` (default: `regdsl` on PATH, with
// `regdsl.server.args`, default ["lsp"]); for a virtual environment, set it to the
// environment's `bin/regdsl`.  Diagnostics, go to definition, references, hover,
// completion, the outline, formatting and quick fixes come from the server.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration('regdsl');
  const command = config.get('server.command') || 'regdsl';
  const args = config.get('server.args') || ['lsp'];
  return { command, args, transport: TransportKind.stdio };
}

async function start(context) {
  client = new LanguageClient('regdsl', 'regdsl language server', serverOptions(), {
    documentSelector: [{ scheme: 'file', language: 'regdsl' }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.reg') },
  });
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `regdsl: could not start \`${serverOptions().command} ${serverOptions().args.join(' ')}\` ` +
      `(${err.message}). Install regdsl with the lsp extra (pip install 'regdsl[lsp]') or set ` +
      '"regdsl.server.command" to its path.');
  }
}

async function activate(context) {
  if (!vscode.workspace.getConfiguration('regdsl').get('server.enabled', true)) {
    return;
  }
  await start(context);
  context.subscriptions.push(vscode.commands.registerCommand('regdsl.restartServer', async () => {
    if (client) {
      await client.stop();
    }
    await start(context);
  }));
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(async (event) => {
    if (event.affectsConfiguration('regdsl.server')) {
      await vscode.commands.executeCommand('regdsl.restartServer');
    }
  }));
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
