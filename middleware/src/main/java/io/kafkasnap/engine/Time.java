package io.kafkasnap.engine;

/** The engine's only clock: the shell passes the system's, a simulation its own. */
public interface Time {

    /** Monotonic nanoseconds, for timeouts and periods. */
    long nanos();

    /** Wall-clock epoch millis, for what is written down (recordedAt, status). */
    long millis();

    Time SYSTEM = new Time() {
        @Override
        public long nanos() {
            return System.nanoTime();
        }

        @Override
        public long millis() {
            return System.currentTimeMillis();
        }
    };
}
