package io.pier.monitor.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * conmon's command line, parsed the way glib parses it: {@code --name value},
 * {@code --name=value}, {@code -x value}, {@code -xvalue}, grouped short switches
 * ({@code -ti}), repeatable list flags, and {@code --} ending the flags.
 *
 * <p>Hand-written rather than picocli: picocli's Java 5 class files cannot enter the AOT cache
 * and cost over 100 ms on every container start.
 */
public final class CommandLine {
  /** The kinds of value a flag takes. */
  public enum Kind { SWITCH, TEXT, INT, LONG, LIST }

  /** One flag: its long name, optional short letter, kind and help line. */
  public record Flag(String name, char letter, Kind kind, String help) {}

  /** Flags by long name, in help order. */
  private final Map<String, Flag> byName = new LinkedHashMap<>();
  /** Flags by short letter. */
  private final Map<Character, Flag> byLetter = new HashMap<>();

  /** Defines a flag; {@code letter} 0 for none. */
  public CommandLine flag(String name, char letter, Kind kind, String help) {
    Flag flag = new Flag(name, letter, kind, help);
    byName.put(name, flag);
    if (letter != 0) {
      byLetter.put(letter, flag);
    }
    return this;
  }

  /** Defines another long name for an existing flag. */
  public CommandLine alias(String alias, String name) {
    byName.put(alias, byName.get(name));
    return this;
  }

  /** A flag that is unknown or has a bad or missing value. */
  public static final class UsageException extends Exception {
    /** Makes the exception with its one-line message. */
    public UsageException(String message) {
      super(message);
    }
  }

  /** The values given, by the flags' long names. */
  public static final class Parsed {
    private final Map<String, Object> values = new HashMap<>();
    private final List<String> leftovers = new ArrayList<>();

    /** Whether the switch was given. */
    public boolean on(String name) {
      return values.containsKey(name);
    }

    /** The flag's text, if given (the last one wins). */
    public Optional<String> text(String name) {
      return Optional.ofNullable((String) values.get(name));
    }

    /** The flag's number, or {@code fallback}. */
    public long number(String name, long fallback) {
      Object v = values.get(name);
      return v == null ? fallback : (Long) v;
    }

    /** All values of a repeatable flag, in order. */
    @SuppressWarnings("unchecked")
    public List<String> list(String name) {
      Object v = values.get(name);
      return v == null ? List.of() : List.copyOf((List<String>) v);
    }

    /** Arguments that were no flags (conmon ignores them, as after a bare --api-version). */
    public List<String> leftovers() {
      return List.copyOf(leftovers);
    }
  }

  /** Parses {@code args}. */
  public Parsed parse(String[] args) throws UsageException {
    Parsed parsed = new Parsed();
    boolean flagsDone = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (flagsDone || arg.equals("-") || !arg.startsWith("-")) {
        parsed.leftovers.add(arg);
      } else if (arg.equals("--")) {
        flagsDone = true;
      } else if (arg.startsWith("--")) {
        int eq = arg.indexOf('=');
        String name = arg.substring(2, eq < 0 ? arg.length() : eq);
        Flag flag = byName.get(name);
        if (flag == null) {
          throw new UsageException("unknown option --" + name);
        }
        if (flag.kind() == Kind.SWITCH) {
          if (eq >= 0) {
            throw new UsageException("option --" + name + " takes no value");
          }
          parsed.values.put(flag.name(), Boolean.TRUE);
        } else if (eq >= 0) {
          store(parsed, flag, arg.substring(eq + 1));
        } else if (i + 1 < args.length) {
          store(parsed, flag, args[++i]);
        } else {
          throw new UsageException("option --" + name + " needs a value");
        }
      } else {
        for (int j = 1; j < arg.length(); j++) {
          Flag flag = byLetter.get(arg.charAt(j));
          if (flag == null) {
            throw new UsageException("unknown option -" + arg.charAt(j));
          }
          if (flag.kind() == Kind.SWITCH) {
            parsed.values.put(flag.name(), Boolean.TRUE);
            continue;
          }
          if (j + 1 < arg.length()) {
            store(parsed, flag, arg.substring(j + 1));
          } else if (i + 1 < args.length) {
            store(parsed, flag, args[++i]);
          } else {
            throw new UsageException("option -" + flag.letter() + " needs a value");
          }
          break;
        }
      }
    }
    return parsed;
  }

  @SuppressWarnings("unchecked")
  private static void store(Parsed parsed, Flag flag, String value) throws UsageException {
    switch (flag.kind()) {
      case TEXT -> parsed.values.put(flag.name(), value);
      case LIST -> ((List<String>) parsed.values.computeIfAbsent(flag.name(),
          k -> new ArrayList<String>())).add(value);
      case INT, LONG -> {
        long number;
        try {
          number = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
          throw new UsageException("option --" + flag.name() + " needs a number, got '" + value
              + "'");
        }
        if (flag.kind() == Kind.INT && (number < Integer.MIN_VALUE || number > Integer.MAX_VALUE)) {
          throw new UsageException("option --" + flag.name() + " is out of range: " + value);
        }
        parsed.values.put(flag.name(), number);
      }
      default -> throw new IllegalStateException(flag.name());
    }
  }

  /** The help text: one line per flag. */
  public String help(String usage) {
    StringBuilder b = new StringBuilder(usage).append("\n\nOptions:\n");
    java.util.Set<Flag> seen = new java.util.HashSet<>();
    for (Flag flag : byName.values()) {
      if (!seen.add(flag)) {
        continue;
      }
      String left = (flag.letter() != 0 ? "-" + flag.letter() + ", " : "    ") + "--"
          + flag.name() + (flag.kind() == Kind.SWITCH ? "" : " VALUE");
      b.append("  ").append(String.format("%-32s", left)).append(flag.help()).append('\n');
    }
    return b.toString();
  }
}
