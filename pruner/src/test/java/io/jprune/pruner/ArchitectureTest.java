package io.jprune.pruner;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.graph.RemovalEffects;

/**
 * The package structure of the pruner, checked on its main classes: no package cycles, graph
 * internals (op rules, label and mask passes) stay behind {@link DependencyGraph}, and each stage
 * of the pipeline (trace -> graph -> groups -> importance -> plan -> surgery -> verify) reads only
 * the stages before it.
 */
@AnalyzeClasses(
    packages = "io.jprune.pruner",
    importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {
  private static final String RULES = "io.jprune.pruner.graph.rule..";
  private static final String PASSES = "io.jprune.pruner.graph.label..";

  /** Every package on its own (graph and graph.rule are two slices), so no cycle hides inside. */
  @ArchTest
  static final ArchRule noCyclesBetweenPackages =
      slices().matching("io.jprune.pruner.(**)").should().beFreeOfCycles();

  /** Surgery, report, save, verify, ... see the graph's result, never its op rules or passes. */
  @ArchTest
  static final ArchRule graphInternalsStayInGraph =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.jprune.pruner.graph..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(RULES, PASSES);

  /** The passes hold label state; rules write it. A pass calls a rule only through a callback. */
  @ArchTest
  static final ArchRule passesDoNotKnowRules =
      noClasses()
          .that()
          .resideInAPackage(PASSES)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(RULES);

  /** Rules and passes never see the built graph; they throw the refusals of graph.refusal. */
  @ArchTest
  static final ArchRule rulesAndPassesDoNotSeeTheGraph =
      noClasses()
          .that()
          .resideInAnyPackage(RULES, PASSES)
          .should()
          .dependOnClassesThat()
          .belongToAnyOf(DependencyGraph.class, RemovalEffects.class);

  @ArchTest
  static final ArchRule pipelineLayers =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("Values")
          .definedBy("io.jprune.pruner.cut..", "io.jprune.pruner.group..")
          .layer("Modules")
          .definedBy("io.jprune.pruner.module..")
          .layer("Graph")
          .definedBy("io.jprune.pruner.graph..")
          .layer("Importance")
          .definedBy("io.jprune.pruner.importance..")
          .layer("Plan")
          .definedBy("io.jprune.pruner.plan..")
          .layer("Surgery")
          .definedBy("io.jprune.pruner.surgery..")
          .layer("Verify")
          .definedBy("io.jprune.pruner.verify..")
          .layer("Report")
          .definedBy("io.jprune.pruner.report..")
          .layer("Facade")
          .definedBy("io.jprune.pruner")
          .layer("Save")
          .definedBy("io.jprune.pruner.save..")
          .layer("App")
          .definedBy("io.jprune.pruner.app..")
          .whereLayer("Values")
          .mayNotAccessAnyLayer()
          .whereLayer("Modules")
          .mayOnlyAccessLayers("Values")
          .whereLayer("Graph")
          .mayOnlyAccessLayers("Values", "Modules")
          .whereLayer("Importance")
          .mayOnlyAccessLayers("Values")
          .whereLayer("Plan")
          .mayOnlyAccessLayers("Values", "Modules", "Graph", "Importance")
          .whereLayer("Surgery")
          .mayOnlyAccessLayers("Values", "Modules", "Graph")
          .whereLayer("Verify")
          .mayOnlyAccessLayers("Values", "Modules", "Graph", "Surgery")
          .whereLayer("Report")
          .mayOnlyAccessLayers(
              "Values", "Modules", "Graph", "Importance", "Plan", "Surgery", "Verify")
          .whereLayer("Save")
          .mayOnlyBeAccessedByLayers("App")
          .whereLayer("App")
          .mayNotBeAccessedByAnyLayer();
}
