/**
 * The Nest injection token of the message bus (the `MessageBus` port): a Kafka bus in the distributed services, an
 * in-process one in the standalone server. The application decides which (`MessagingModule.forRoot` of
 * `@trellis/platform`); modules only see the port.
 */
export const MESSAGE_BUS = Symbol('trellis.MessageBus');
