import type { MockServer } from '@ropkit/mock-server';
import type { UserDevice } from './demo-context.ts';
import { StepFailed } from './step.ts';

/**
 * The phone, mailbox and Guardian app of a user of the mock tenant, through the mock's control
 * API: `mfaMessages` is what the phone or mailbox received, `approvePush` the tap on "Allow".
 */
export function mockDevice(server: MockServer, connection: string, email: string): UserDevice {
  return {
    async receivedCode(oobCode) {
      const messages = await server.control.mfaMessages(connection, email);
      const message = messages.findLast((candidate) => candidate.oobCode === oobCode);
      if (message === undefined) throw new StepFailed(`no code was sent to ${email}`);
      return { channel: message.channel, to: message.to, code: message.code };
    },
    approvePush: () => server.control.approvePush(connection, email),
  };
}
