# Shared by the scripts: where the build puts things, and how to build them once.
root="${root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
APP_JAR="$root/target/spark-experimenter-0.1.0-SNAPSHOT.jar"
CP_FILE="$root/target/runtime-classpath.txt"
FLAGS_FILE="$root/target/spark-jvm-flags.txt"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

ensure_built() {
  if [ -f "$APP_JAR" ] && [ -f "$CP_FILE" ] && [ -f "$FLAGS_FILE" ] \
     && [ -z "$(find "$root/src/main" "$root/pom.xml" -newer "$APP_JAR" -print -quit)" ]; then
    return
  fi
  echo "building the application jar (first use or sources changed) ..." >&2
  (cd "$root" && mvn -q -B -DskipTests package dependency:build-classpath \
      -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=compile >&2)
  (cd "$root" && mvn -q -B -Dstyle.color=never help:evaluate -Dexpression=spark.jvm.flags -DforceStdout) \
    | sed "s/\x1b\[[0-9;]*m//g" > "$FLAGS_FILE"
}
