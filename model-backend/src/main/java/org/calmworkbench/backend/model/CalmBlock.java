package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DJL block whose parameters carry the official CALM (PyTorch state-dict) names, so a checkpoint
 * written by the paper's code loads here and ours loads there.
 *
 * <p>DJL prefixes child names with a counter ("01encoder"), which would break those names; this
 * class keeps its own ordered map of official names next to DJL's. Subclasses declare parameters
 * with {@link #param} and children with {@link #child}, and implement a typed forward; the DJL
 * {@link #forwardInternal} path is only there so the blocks also work inside a DJL {@code Model}.
 *
 * <p>Parameters are read straight from {@link Parameter#getArray()} rather than through a
 * {@link ParameterStore}: everything runs on one device, and it keeps ops' first operand an
 * activation, so results attach to the step's manager (STACK.md pitfall 4).
 */
public abstract class CalmBlock extends AbstractBlock {
  /** HF {@code initializer_range}: weights ~ N(0, 0.02^2), as the official models initialise. */
  public static final float INIT_STD = 0.02f;

  private final Map<String, Parameter> ownParams = new LinkedHashMap<>();
  private final Map<String, CalmBlock> ownChildren = new LinkedHashMap<>();

  protected Parameter param(String name, Shape shape, Initializer init) {
    Parameter p =
        Parameter.builder()
            .setName(name)
            .setType(name.equals("bias") ? Parameter.Type.BIAS : Parameter.Type.WEIGHT)
            .optShape(shape)
            .optInitializer(init)
            .build();
    addParameter(p);
    ownParams.put(name, p);
    return p;
  }

  protected Parameter weight(String name, long... shape) {
    return param(name, new Shape(shape), new NormalInitializer(INIT_STD));
  }

  protected Parameter ones(String name, long... shape) {
    return param(name, new Shape(shape), Initializer.ONES);
  }

  protected Parameter zeros(String name, long... shape) {
    return param(name, new Shape(shape), Initializer.ZEROS);
  }

  protected <B extends CalmBlock> B child(String name, B block) {
    addChildBlock(name, block);
    ownChildren.put(name, block);
    return block;
  }

  /** Every parameter under its full official name, in declaration order. */
  public Map<String, Parameter> namedParameters() {
    Map<String, Parameter> out = new LinkedHashMap<>();
    collect("", out);
    return out;
  }

  private void collect(String prefix, Map<String, Parameter> out) {
    ownParams.forEach((n, p) -> out.put(prefix + n, p));
    ownChildren.forEach((n, c) -> c.collect(prefix + n + ".", out));
  }

  /** Creates every parameter array on {@code manager} (seeded through the engine's RNG). */
  public void initializeParameters(NDManager manager) {
    for (Parameter p : namedParameters().values()) {
      p.initialize(manager, DataType.FLOAT32);
    }
  }

  /** Total number of scalar parameters. */
  public long parameterCount() {
    long n = 0;
    for (Parameter p : namedParameters().values()) {
      n += p.getShape().size();
    }
    return n;
  }

  /** The typed forward pass over a single input. */
  public abstract NDArray forward(NDArray x);

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(forward(inputs.singletonOrThrow()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " computes its shapes in forward(); see its javadoc");
  }

  /** A scalar on the same manager as {@code like} (scalar overloads are unsafe in backward). */
  static NDArray scalar(NDArray like, float value) {
    return like.getManager().create(value);
  }
}
