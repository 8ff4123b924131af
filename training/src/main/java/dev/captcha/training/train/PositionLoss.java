package dev.captcha.training.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;

/** Softmax cross-entropy averaged over every character position of every captcha; stateless. */
final class PositionLoss extends Loss {
  private final int classes;
  private final SoftmaxCrossEntropyLoss inner = new SoftmaxCrossEntropyLoss("position_ce");

  PositionLoss(int classes) {
    super("position_ce");
    this.classes = classes;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray logits = predictions.singletonOrThrow().reshape(-1, classes);
    NDArray target = labels.singletonOrThrow().reshape(-1);
    return inner.evaluate(new NDList(target), new NDList(logits));
  }
}
