/** Messages to every gateway instance sharing the store (session ends, push inbox wake-ups). */
export interface PubSub {
  /** Sends a message to every instance subscribed to the channel (this one included). */
  publish(channel: string, message: string): Promise<void>;
  /** Receives the channel's messages until the store is closed; there is no unsubscribe. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
}
