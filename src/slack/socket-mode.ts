import { SocketModeReceiver, type Receiver } from '@slack/bolt';

/** A Socket Mode receiver for local development: Slack connects out, no public URL needed. */
export function socketModeReceiver(appToken: string): Receiver {
  return new SocketModeReceiver({ appToken });
}
