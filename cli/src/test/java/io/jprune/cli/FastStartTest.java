package io.jprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The class list kept for the archive and the launcher's text. */
class FastStartTest {
  @Test
  void archivesEveryClassButTheGeneratedMethodHandleSpecies() {
    assertEquals(
        List.of(
            "java/lang/Object id: 0",
            "io/jprune/cli/JpruneCommand",
            "@lambda-proxy io/jprune/cli/UserErrors run ()V ()V 6 io/jprune/cli/UserErrors x ()V"),
        FastStart.archivable(
            List.of(
                "java/lang/Object id: 0",
                "java/lang/invoke/BoundMethodHandle$Species_LJ",
                "io/jprune/cli/JpruneCommand",
                "java/lang/invoke/BoundMethodHandle$Species_LLI",
                "@lambda-proxy io/jprune/cli/UserErrors run ()V ()V 6 io/jprune/cli/UserErrors x ()V")));
  }

  @Test
  void launcherRunsTheJarBesideItWithTheArchiveAndTheOptions() {
    assertEquals(
        "#!/bin/sh\n"
            + "# jprune with a fast start: java -jar jprune-cli.jar with the class-data archive "
            + "made for it\n"
            + "# by the JDK that built it (another JDK ignores it) and -XX:TieredStopAtLevel=1 "
            + "-XX:+UseSerialGC.\n"
            + "# Written by io.jprune.cli.FastStart; run that again after changing JDK.\n"
            + "here=$(dirname \"$0\")\n"
            + "exec \"${JAVA_HOME:+$JAVA_HOME/bin/}java\" -XX:TieredStopAtLevel=1 "
            + "-XX:+UseSerialGC -XX:SharedArchiveFile=\"$here/jprune-cli.jsa\" -Xlog:cds=off \\\n"
            + "  -jar \"$here/jprune-cli.jar\" \"$@\"\n",
        FastStart.launcher("jprune-cli.jar"));
  }
}
