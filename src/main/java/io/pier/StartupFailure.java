package io.pier;

import io.smallrye.config.ConfigValidationException;
import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;

/** Turns a failed start into the one line an operator reads. */
public final class StartupFailure {

  private static final Pattern CONVERSION = Pattern.compile(
      "The config property (\\S+) with the config value \"(.*?)\" threw an Exception"
          + " whilst being converted (.*)");
  private static final Pattern UNKNOWN = Pattern.compile(
      "(\\S+) in \\w+\\[source=(?:file:)?([^\\]]+)\\] does not map to any root");

  private static final Pattern ENUM = Pattern.compile(
      "Cannot convert .* to enum class .*, allowed values: (.*)");

  private StartupFailure() {}

  /** Describes why pierd could not start, in one line, without stack traces. */
  public static String describe(Throwable failure) {
    Throwable cause = failure;
    while (cause != null) {
      if (cause instanceof ConfigValidationException invalid) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < invalid.getProblemCount(); i++) {
          String problem = plain(invalid.getProblem(i).getMessage());
          // quarkus.management.port is derived from pier.management-port: name only the latter.
          if (!problem.startsWith("quarkus.management.port") && !problems.contains(problem)) {
            problems.add(problem);
          }
        }
        return "invalid configuration: " + String.join("; ", problems);
      }
      if (cause instanceof NoSuchElementException || cause instanceof IllegalArgumentException) {
        return "invalid configuration: " + plain(cause.getMessage());
      }
      if (cause instanceof PierStartupException) {
        return cause.getMessage();
      }
      if (cause instanceof BindException) {
        // The only TCP listener is the management interface.
        String port = ConfigProvider.getConfig()
            .getOptionalValue("pier.management-port", String.class).orElse("9465");
        return "pier.management-port " + port + " on 127.0.0.1 is in use by another process;"
            + " choose another with PIER_MANAGEMENT_PORT";
      }
      if (cause.getCause() == null || cause.getCause() == cause) {
        break;
      }
      cause = cause.getCause();
    }
    String message = cause == null ? failure.toString() : cause.getMessage();
    return "failed to start: " + (message == null ? String.valueOf(cause) : oneLine(message));
  }

  /** Rewords SmallRye's messages (coded, with exception class names) for an operator. */
  private static String plain(String message) {
    String text = oneLine(message)
        .replaceAll("[\\w.$]+(Exception|Error): ", "")
        .replaceAll("SRCFG\\d+: ", "");
    Matcher enumValue = ENUM.matcher(text);
    if (enumValue.find()) {
      text = text.substring(0, enumValue.start()) + "expected one of " + enumValue.group(1);
    }
    Matcher conversion = CONVERSION.matcher(text);
    if (conversion.find()) {
      return conversion.group(1) + "=\"" + conversion.group(2) + "\": " + conversion.group(3);
    }
    Matcher unknown = UNKNOWN.matcher(text);
    if (unknown.find()) {
      return "unknown setting " + unknown.group(1) + " in " + unknown.group(2);
    }
    return text;
  }

  private static String oneLine(String message) {
    return message.replaceAll("\\s*\\n\\s*", "; ").trim();
  }
}
