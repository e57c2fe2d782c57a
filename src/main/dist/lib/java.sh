# Picks the Java 25 runtime for Pier's launchers: PIER_JAVA if set, else the JDK Pier was
# built with (recorded in lib/java-home at package time), else JAVA_HOME, else PATH.
if [ -z "$PIER_JAVA" ]; then
  if [ -r "$home/lib/java-home" ] && [ -x "$(cat "$home/lib/java-home")/bin/java" ]; then
    PIER_JAVA="$(cat "$home/lib/java-home")/bin/java"
  elif [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    PIER_JAVA="$JAVA_HOME/bin/java"
  else
    PIER_JAVA=java
  fi
fi
