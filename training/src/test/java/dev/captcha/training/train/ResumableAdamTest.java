package dev.captcha.training.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.optimizer.Optimizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ResumableAdam steps exactly as DJL's Adam, and its saved state continues the same sequence. */
class ResumableAdamTest {

  @BeforeAll
  static void engine() {
    Trainer.configureEngine(1);
  }

  private static Parameter parameter(NDManager m, String name, float[] values) {
    Parameter p =
        Parameter.builder()
            .setName(name)
            .setType(Parameter.Type.WEIGHT)
            .optInitializer(new ConstantInitializer(0))
            .build();
    p.setShape(new Shape(values.length));
    p.initialize(m, DataType.FLOAT32);
    p.getArray().set(values);
    return p;
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  @Test
  void matchesDjlAdamAndResumesFromSavedState() throws Exception {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      SplittableRandom r = new SplittableRandom(3);
      float[] start = random(r, 50);
      float[][] grads = new float[12][];
      for (int i = 0; i < grads.length; i++) {
        grads[i] = random(r, 50);
      }
      ProgressSchedule schedule = new ProgressSchedule(1e-2f, 1e-4f, 3);
      Parameter ours = parameter(m, "w", start);
      ParameterList list = new ParameterList();
      list.add("block_w", ours);
      ResumableAdam adam = new ResumableAdam(schedule, list, m);
      NDArray theirs = m.create(start);
      Optimizer djl = Optimizer.adam().optLearningRateTracker(schedule).build();
      byte[] saved = null;
      float[] atSave = null;
      for (int i = 0; i < grads.length; i++) {
        schedule.update(i, i / 12.0);
        adam.update(ours.getId(), ours.getArray(), m.create(grads[i]));
        djl.update("w", theirs, m.create(grads[i]));
        assertArrayEquals(
            theirs.toFloatArray(), ours.getArray().toFloatArray(), 1e-7f, "step " + i);
        if (i == 5) {
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          try (DataOutputStream out = new DataOutputStream(bytes)) {
            adam.save(out);
          }
          saved = bytes.toByteArray();
          atSave = ours.getArray().toFloatArray();
        }
      }
      assertEquals(12, adam.count("block_w"));

      Parameter again = parameter(m, "w", atSave);
      ParameterList list2 = new ParameterList();
      list2.add("block_w", again);
      ResumableAdam resumed = new ResumableAdam(schedule, list2, m);
      resumed.load(new DataInputStream(new ByteArrayInputStream(saved)), list2);
      for (int i = 6; i < grads.length; i++) {
        schedule.update(i, i / 12.0);
        resumed.update(again.getId(), again.getArray(), m.create(grads[i]));
      }
      assertArrayEquals(ours.getArray().toFloatArray(), again.getArray().toFloatArray(), 0f);
    }
  }
}
