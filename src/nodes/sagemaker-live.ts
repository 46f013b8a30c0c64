/**
 * The runtime side of the `sagemaker-live` plugin (the editor's "SageMaker" sidebar tab, nodes/sagemaker-live.html):
 * the admin routes that answer the live figures of this runtime's sagemaker-invoke and sagemaker-bidi nodes, and a
 * one-second timer that publishes them through RED.comms when they changed. The figures themselves are kept by
 * src/stats (the nodes count into `liveRegistry`); only the Node-RED wiring is here.
 */
import type { NodeAPI } from 'node-red';
import {
  LIVE_PERMISSION,
  LIVE_PLUGIN_ID,
  LIVE_PLUGIN_TYPE,
  LIVE_ROUTE,
  LIVE_SERIES_ROUTE,
  LIVE_TOPIC,
} from '../shared/live';
import { liveRegistry } from '../stats/registry';

/** Publishing more often than this is not needed: the sidebar shows seconds. */
const PUBLISH_MS = 1000;

/** The admin apps the routes were added to: a runtime that loads this file twice gets them once. */
const routed = new WeakSet<object>();
let timer: NodeJS.Timeout | undefined;

export = function register(RED: NodeAPI): void {
  RED.plugins.registerPlugin(LIVE_PLUGIN_ID, { type: LIVE_PLUGIN_TYPE });

  if (!routed.has(RED.httpAdmin)) {
    routed.add(RED.httpAdmin);
    const read = RED.auth.needsPermission(LIVE_PERMISSION);
    // The figures as of the request: taken now, so at most a second old however the timer runs.
    RED.httpAdmin.get(`/${LIVE_ROUTE}`, read, (_req, res) => {
      res.set('Cache-Control', 'no-store').json(liveRegistry.stats());
    });
    // The charts' 15 minutes, for a sidebar that opens; it follows the published updates after that.
    RED.httpAdmin.get(`/${LIVE_SERIES_ROUTE}`, read, (_req, res) => {
      res.set('Cache-Control', 'no-store').json(liveRegistry.history());
    });
  }

  // One timer per runtime process, publishing through the runtime that loaded this file last.
  if (timer) clearInterval(timer);
  timer = setInterval(() => {
    const update = liveRegistry.update();
    if (update) RED.comms.publish(LIVE_TOPIC, update, false);
  }, PUBLISH_MS);
  timer.unref();
};
