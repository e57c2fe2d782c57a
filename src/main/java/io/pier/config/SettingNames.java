package io.pier.config;

import io.pier.PierStartupException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The settings {@link PierConfig} maps, by key ({@code pier.run-root}) and environment variable
 * ({@code PIER_RUN_ROOT}), so that a misspelt variable or an empty value is refused by name.
 */
public final class SettingNames {

  /**
   * {@code PIER_*} variables that pierd's launchers read, not settings: the Java runtime to
   * run pierd with and its extra JVM options.
   */
  public static final Set<String> LAUNCHER_VARIABLES = Set.of("PIER_JAVA", "PIER_JAVA_OPTS");

  /** Each setting's key, by environment variable, in the order of their names. */
  private static final Map<String, String> KEYS_BY_VARIABLE = new TreeMap<>();

  /** Settings whose empty value means "none": the optional lists. */
  private static final Set<String> MAY_BE_EMPTY;

  static {
    Set<String> mayBeEmpty = new HashSet<>();
    for (Method method : PierConfig.class.getDeclaredMethods()) {
      if (Modifier.isStatic(method.getModifiers()) || method.isDefault()
          || method.getParameterCount() > 0) {
        continue;
      }
      String key = "pier."
          + method.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
      KEYS_BY_VARIABLE.put(variable(key), key);
      if (isOptionalList(method.getGenericReturnType())) {
        mayBeEmpty.add(key);
      }
    }
    MAY_BE_EMPTY = Set.copyOf(mayBeEmpty);
  }

  private SettingNames() {}

  /** The environment variable that overrides a key: {@code pier.run-root} is PIER_RUN_ROOT. */
  public static String variable(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Refuses a {@code PIER_*} variable that names no setting (nor a launcher variable), and an
   * empty one for a setting that has no empty meaning.
   */
  public static void checkEnvironment(Map<String, String> environment) {
    for (var variable : new TreeMap<>(environment).entrySet()) {
      String name = variable.getKey();
      if (!name.startsWith("PIER_") || LAUNCHER_VARIABLES.contains(name)) {
        continue;
      }
      String key = KEYS_BY_VARIABLE.get(name);
      if (key == null) {
        throw new PierStartupException("invalid configuration: unknown environment variable "
            + name + closest(name).map(known -> "; did you mean " + known + "?")
                .orElse("; the Configuration section of the README lists pierd's"));
      }
      if (variable.getValue().isBlank() && !MAY_BE_EMPTY.contains(key)) {
        throw new PierStartupException("invalid configuration: " + key + " is empty (" + name
            + "=); give it a value, or unset " + name + " for the default");
      }
    }
  }

  /** Refuses a key of the configuration file that has no value: a line left unfinished. */
  public static void checkFileValue(String key, Object value, String file) {
    boolean empty = value == null
        || (value instanceof String text && text.isBlank())
        || (value instanceof List<?> list && list.isEmpty());
    if (empty && !MAY_BE_EMPTY.contains(key)) {
      throw new PierStartupException("invalid configuration: " + key + " is empty in " + file
          + "; give it a value, or remove the line for the default");
    }
  }

  /** The known variable a misspelt one most likely meant, if one is a few edits away. */
  private static Optional<String> closest(String name) {
    String best = null;
    int bestDistance = 3;
    for (String known : KEYS_BY_VARIABLE.keySet()) {
      int distance = editDistance(name, known);
      if (distance < bestDistance) {
        best = known;
        bestDistance = distance;
      }
    }
    return Optional.ofNullable(best);
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static boolean isOptionalList(Type type) {
    return type instanceof ParameterizedType optional
        && optional.getRawType() == Optional.class
        && optional.getActualTypeArguments()[0] instanceof ParameterizedType inner
        && inner.getRawType() == List.class;
  }
}
