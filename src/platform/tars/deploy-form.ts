/**
 * What the platform's deploy form must say for a package (tars-platform spec section 4): printed at the end of a
 * deploy so that the names typed on the platform match the ones the package checks at start.
 */
import type { DeployDescriptor } from './deploy-layout.js';
import { pushServantName } from './push-servant.js';
import { servantOf } from './service-descriptor.js';

/** The server type of Node.js services on Tars. */
export const SERVER_TYPE = 'tars_nodejs';
/** The platform's default template for Node.js services. */
export const TEMPLATE = 'tars.nodejs.default';
/** One adapter row of the deploy form. */
export interface FormAdapter {
  /** `App.Server.Obj`. */
  servant: string;
  protocol: 'not tars' | 'tars';
  /** What to type in the "threads" box. */
  threads: string;
  note: string;
}

/** The deploy form's fields for `d`. */
export interface DeployForm {
  application: string;
  serverName: string;
  serverType: string;
  template: string;
  adapters: FormAdapter[];
}

/** The form for a package described by `d`. */
export function deployForm(d: DeployDescriptor): DeployForm {
  return {
    application: d.appName,
    serverName: d.serverName,
    serverType: SERVER_TYPE,
    template: TEMPLATE,
    adapters: [
      {
        servant: servantOf(d),
        protocol: 'not tars',
        threads: 'the number of worker processes (e.g. 2)',
        note: 'WebSocket + HTTP; port type TCP, a free port on the node',
      },
      {
        servant: pushServantName(d.appName, d.serverName),
        protocol: 'tars',
        threads: '1',
        note: 'PushObj for Tars callers; port type TCP, another free port',
      },
    ],
  };
}

/** The form as the lines printed after a deploy. */
export function formatDeployForm(form: DeployForm): string[] {
  return [
    'On the platform (Operations > Deploy service):',
    `  application:  ${form.application}`,
    `  server name:  ${form.serverName}`,
    `  server type:  ${form.serverType}`,
    `  template:     ${form.template}`,
    ...form.adapters.flatMap((a, i) => [
      `  adapter ${i + 1}:    servant ${a.servant}, protocol ${a.protocol}`,
      `                threads = ${a.threads}; ${a.note}`,
    ]),
    'Then upload the package on the server\'s "publish" page and publish it.',
  ];
}
