import com.sun.source.tree.*;
import com.sun.source.util.*;
import javax.tools.*;
import java.nio.file.*;
import java.util.*;
import java.util.stream.*;

/**
 * CI's method-length check: parses every main source file under a root with javac's own parser
 * and lists each method or constructor longer than N lines (declaration to closing brace, lambdas
 * inside included). Exits 1 when any is found. Usage: java .ci/MethodLengths.java 50 .
 */
public class MethodLengths {
  public static void main(String[] a) throws Exception {
    int limit = Integer.parseInt(a[0]);
    List<Path> files;
    try (Stream<Path> s = Files.walk(Path.of(a[1]))) {
      files = s.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")).collect(Collectors.toList());
    }
    JavaCompiler jc = ToolProvider.getSystemJavaCompiler();
    StandardJavaFileManager fm = jc.getStandardFileManager(null, null, null);
    JavacTask task = (JavacTask) jc.getTask(null, fm, d -> {}, List.of("-proc:none"), null, fm.getJavaFileObjectsFromPaths(files));
    SourcePositions pos = Trees.instance(task).getSourcePositions();
    List<String> out = new ArrayList<>();
    for (CompilationUnitTree cu : task.parse()) {
      new TreePathScanner<Void, Void>() {
        @Override public Void visitMethod(MethodTree m, Void v) {
          long s = cu.getLineMap().getLineNumber(pos.getStartPosition(cu, m));
          long e = cu.getLineMap().getLineNumber(pos.getEndPosition(cu, m));
          if (e - s + 1 > limit) out.add((e - s + 1) + " " + cu.getSourceFile().getName().replaceFirst(".*/src/main/java/", "") + ":" + s + " " + m.getName());
          return super.visitMethod(m, v);
        }
      }.scan(cu, null);
    }
    out.sort(Comparator.comparingInt((String x) -> Integer.parseInt(x.split(" ")[0])).reversed());
    out.forEach(System.out::println);
    System.out.println(files.size() + " files, " + out.size() + " methods over " + limit + " lines");
    if (!out.isEmpty()) {
      System.exit(1);
    }
  }
}
