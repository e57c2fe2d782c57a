package io.pier.stream;

/** A terminal's size in character cells, as the client's resize stream sends it. */
record TerminalSize(int width, int height) {}
