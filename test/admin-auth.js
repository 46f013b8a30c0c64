'use strict';
// Node-RED with adminAuth on, as the admin-route tests start it (test/live-route.spec.js,
// test/discovery-route.spec.js): the packed package in a real runtime whose users log in with a password, each with
// the permissions given, and a bearer token for each user got from Node-RED's own /auth/token.
const assert = require('node:assert/strict');
const bcrypt = require('bcryptjs');
const { startNodeRed } = require('./node-red-process');

/** A user's access token, from Node-RED's OAuth password grant (as the editor's login gets it). */
async function login(red, username, password) {
  const res = await fetch(`${red.base}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '', username, password }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).access_token;
}

/**
 * Starts Node-RED on `userDir` with adminAuth: `users` maps each user name to its permissions ('*', 'read' or a
 * list), all with `password`. Resolves the runtime and a token per user.
 */
async function startWithAdminAuth(userDir, { logName, password, users }) {
  const hash = bcrypt.hashSync(password, 8);
  const red = await startNodeRed(userDir, {
    logName,
    settings: {
      adminAuth: {
        type: 'credentials',
        users: Object.entries(users).map(([username, permissions]) => ({ username, password: hash, permissions })),
      },
    },
  });
  const tokens = {};
  for (const username of Object.keys(users)) tokens[username] = await login(red, username, password);
  return { red, tokens };
}

module.exports = { startWithAdminAuth };
