package io.pier.config;

import java.util.Locale;
import org.eclipse.microprofile.config.spi.Converter;

/** Reads {@code true} or {@code false} only, where SmallRye would read any other word as false. */
public final class StrictBoolean implements Converter<Boolean> {

  @Override
  public Boolean convert(String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }
}
