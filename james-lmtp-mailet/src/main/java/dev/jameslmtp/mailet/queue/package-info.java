/**
 * The way in and the queue loop: {@code QueueIntake} puts each mail on the mailet's James queue
 * with its route fixed ({@code Route}); {@code DeliveryConsumer} takes it off and starts an attempt
 * when its destination has room ({@code DestinationLimits}, a window per destination that listens to
 * the store, {@code DestinationWindow}, fed by {@code StoreFeedback}), else keeps it in a bounded
 * {@code Backlog} or hands it back; one mailet per queue ({@code QueueClaims}); put-backs James died
 * in are made again ({@code UnfinishedPutBacks}).
 */
package dev.jameslmtp.mailet.queue;
