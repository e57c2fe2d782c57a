package io.pier.stream;

/** Starts the exec or attach behind a session once its streams are open. */
interface CommandStarter {

  /** Starts it on a thread of its own; returns at once. */
  void start(CommandSession session);
}
