package io.jprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * The {@code --html} report in a real browser: headless Chromium loads the page the command wrote
 * for ResNet-18 and ViT-S, runs its scripts and hands back the DOM they built. Asserts that the
 * page logged no error, drew one SVG node per traced module call (counted against the page's
 * traced-ops table, which is written from the trace without any script), and that selecting a group
 * outlines exactly the layers of that group. A screenshot of each page is kept under {@code
 * target/report-screenshots/}.
 *
 * <p>Skipped where no Chromium is installed (set {@code JPRUNE_CHROMIUM} to its path if it is not
 * on the PATH as {@code chromium}); CI installs it and sets {@code JPRUNE_REQUIRE_BROWSER=1}, which
 * turns the skip into a failure.
 */
class ReportBrowserTest {
  private static final Path SHOTS = Paths.get("target", "report-screenshots");

  @ParameterizedTest(name = "{0}, group {1}")
  @CsvSource({
    "RESNET18, layer1.0.conv1, 'layer1,layer1.0'",
    "VIT_S_SELECT, blocks.0.attn.qkv, 'blocks.0,blocks.0.attn'",
  })
  void pageLoadsDrawsEveryModuleAndHighlightsAGroup(String model, String leader, String expand)
      throws Exception {
    Path chromium = chromium();
    Path dir = Files.createTempDirectory("jprune-report");
    Path page = dir.resolve(model.toLowerCase() + ".html");
    StringWriter out = new StringWriter();
    CommandLine cl = JpruneCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    int exit =
        cl.execute(
            "--model",
            model,
            "--runs",
            "0",
            "--no-verify",
            "--threads",
            "1",
            "--html",
            page.toString());
    assertEquals(0, exit, out.toString());
    String html = Files.readString(page);
    JsonObject data =
        JsonParser.parseString(
                between(html, "<script id=\"data\" type=\"application/json\">", "</script>"))
            .getAsJsonObject();
    int group = groupLedBy(data, leader + ".weight");

    Browser b =
        load(
            chromium,
            page,
            "group="
                + group
                + "&expand="
                + expand
                + "&focus="
                + expand.substring(expand.lastIndexOf(',') + 1)
                + "&selfcheck",
            dir);
    JsonObject check =
        JsonParser.parseString(unescape(between(b.dom, "<pre id=\"selfcheck\">", "</pre>")))
            .getAsJsonObject();
    assertEquals(new JsonArray(), check.getAsJsonArray("errors"), "errors in the page");
    assertEquals(List.of(), b.consoleErrors, "console errors");

    // One node per module call: the traced-ops table lists each call with its module.
    Map<String, Integer> traced = new TreeMap<>();
    Matcher row =
        Pattern.compile(
                "<tr class=\"op\"><td class=\"n\">\\d+</td><td class=\"m\">"
                    + "[^<]*</td><td class=\"m\">([^<]+)</td><td class=\"m\">[^<]*</td>"
                    + "<td class=\"m\">([^<]+)</td>")
            .matcher(html);
    while (row.find()) {
      traced.merge(
          unescape(row.group(1)).equals("<root>") ? "" : unescape(row.group(1)), 1, Integer::sum);
    }
    Map<String, Integer> drawn = new TreeMap<>();
    Matcher node =
        Pattern.compile("<g class=\"node k-[A-Z]+[^\"]*\"[^>]*? data-module=\"([^\"]*)\"")
            .matcher(b.dom);
    while (node.find()) {
      drawn.merge(unescape(node.group(1)), 1, Integer::sum);
    }
    assertFalse(traced.isEmpty(), "no module call in the ops table");
    assertEquals(traced, drawn, "SVG nodes per module path vs traced module calls");

    // The selected group outlines exactly its layers (leaf nodes; closed modules are marked).
    TreeSet<String> expected =
        new TreeSet<>(
            data.getAsJsonArray("groups")
                .get(group)
                .getAsJsonObject()
                .getAsJsonObject("layers")
                .keySet());
    TreeSet<String> lit = new TreeSet<>();
    for (JsonElement e : check.getAsJsonArray("highlighted")) {
      List<String> layers = Arrays.asList(e.getAsString().split(" "));
      assertTrue(
          layers.stream().anyMatch(expected::contains),
          "highlighted node " + layers + " holds no layer of group " + group);
      layers.stream().filter(expected::contains).forEach(lit::add);
    }
    assertEquals(group, check.get("selected").getAsInt());
    assertEquals(expected, lit, "layers of group " + group + " outlined");

    Files.createDirectories(SHOTS);
    Path shot = SHOTS.resolve(model.toLowerCase() + ".png");
    Files.copy(b.screenshot, shot, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    byte[] png = Files.readAllBytes(shot);
    assertTrue(
        png.length > 20_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G',
        "screenshot " + shot + " of " + png.length + " bytes");
  }

  /** What the browser gave back. */
  private record Browser(String dom, List<String> consoleErrors, Path screenshot) {}

  private static Browser load(Path chromium, Path page, String fragment, Path dir)
      throws IOException, InterruptedException {
    String url = page.toUri() + "#" + fragment;
    Path profile = Files.createDirectories(dir.resolve("profile"));
    Path domFile = dir.resolve("dom.html");
    Run dom = chromium(chromium, profile, domFile, "--dump-dom", url);
    Path png = dir.resolve("shot.png");
    chromium(
        chromium,
        profile,
        dir.resolve("shot.log"),
        "--window-size=1600,1000",
        "--screenshot=" + png,
        url);
    List<String> errors = new ArrayList<>();
    for (String line : dom.log.split("\n")) {
      // Chromium logs page console messages as CONSOLE(line)] "text", source: ...
      if (line.contains("CONSOLE") && (line.contains(":ERROR:") || line.contains("Uncaught"))) {
        errors.add(line);
      }
    }
    assertTrue(Files.exists(png), "no screenshot: " + dom.log);
    return new Browser(Files.readString(domFile), errors, png);
  }

  private record Run(String log) {}

  private static Run chromium(Path chromium, Path profile, Path stdout, String... args)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--no-first-run",
                "--user-data-dir=" + profile,
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=10000"));
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile(stdout.getParent(), "chromium", ".log");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("chromium did not finish in 120 s: " + cmd);
    }
    String log = Files.readString(err, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "chromium " + cmd + " failed:\n" + log);
    return new Run(log);
  }

  /** The browser, or a skip (a failure when JPRUNE_REQUIRE_BROWSER is set, as in CI). */
  private static Path chromium() {
    Optional<Path> found =
        Optional.ofNullable(System.getenv("JPRUNE_CHROMIUM"))
            .map(Paths::get)
            .or(() -> onPath("chromium"))
            .or(() -> onPath("chromium-browser"));
    if (found.isEmpty() && System.getenv("JPRUNE_REQUIRE_BROWSER") != null) {
      fail(
          "JPRUNE_REQUIRE_BROWSER is set but no chromium was found on the PATH or in "
              + "JPRUNE_CHROMIUM");
    }
    Assumptions.assumeTrue(
        found.isPresent(),
        "skipped: no chromium on the PATH (install "
            + "Debian's chromium package, or set JPRUNE_CHROMIUM) to check the HTML report in a "
            + "browser");
    return found.get();
  }

  private static Optional<Path> onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Paths.get(dir, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static int groupLedBy(JsonObject data, String leader) {
    Map<String, Integer> ids = new HashMap<>();
    for (JsonElement g : data.getAsJsonArray("groups")) {
      ids.put(
          g.getAsJsonObject().get("leader").getAsString(),
          g.getAsJsonObject().get("id").getAsInt());
    }
    Integer id = ids.get(leader);
    if (id == null) {
      fail("no group led by " + leader + " in " + ids.keySet());
    }
    return id;
  }

  private static String between(String s, String start, String end) {
    int i = s.indexOf(start);
    assertTrue(i >= 0, "no " + start);
    int j = s.indexOf(end, i + start.length());
    assertTrue(j >= 0, "no " + end + " after " + start);
    return s.substring(i + start.length(), j);
  }

  private static String unescape(String s) {
    return s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
  }
}
