package io.jprune.testmodels.late;

/** The activation a {@link LateStem} applies, chosen by an enum switch (a synthetic class). */
public enum LateAct {
  RELU,
  TANH,
  SIGMOID
}
