package dev.captcha.training.finetune;

import dev.captcha.generator.Captcha;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.model.InputSpec;
import dev.captcha.model.Preprocessor;
import dev.captcha.training.data.Augmenter;
import dev.captcha.training.data.BatchSource;
import dev.captcha.training.data.Batches;
import dev.captcha.training.data.ImageTensors;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.train.Trainer;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The data of a fine-tuning run: training batches that mix captchas of the base model's training
 * fonts with captchas of the new fonts and varied labelled images, and one validation set per
 * source; immutable, the batch streams it opens are owned by the training loop.
 *
 * <p>Image {@code g} of the training stream comes from a source drawn with the sources' shares from
 * {@code (seed, g)} alone, so the same seed gives the same batches. Every image becomes a tensor
 * through the model's own {@link Preprocessor}, the server's preprocessing.
 */
final class FinetuneData implements Trainer.Data {

  static final String TRAINING_FONTS = "training-fonts";
  static final String NEW_FONTS = "new-fonts";
  static final String LABELLED = "labelled-held-out";

  /** Share of labelled training images drawn with the library's variations. */
  static final double VARIED_SHARE = 0.8;

  private final int length;
  private final InputSpec input;
  private final CaptchaGenerator usual;
  private final CaptchaGenerator newFonts;
  private final List<LabelledSamples.Sample> train;
  private final List<LabelledSamples.Sample> heldOut;
  private final double[] cumulativeShares;
  private final SlotMix slotMix;
  private final double slotMixShare;
  private final double slotTurn;
  private final Augmenter augmenter;
  private final long seed;
  private final long validationSeed;
  private final int validationSize;

  /**
   * @param usual generator of the base model's training fonts
   * @param newFonts generator of the new fonts, or null
   * @param train labelled images to train on (may be empty)
   * @param heldOut labelled images held out for validation (may be empty)
   * @param usualShare share of the training images drawn from {@code usual}; the rest is split
   *     evenly between the new fonts and the labelled images, where given
   * @param slotMixShare share of the labelled training images recombined slot by slot ({@link
   *     SlotMix}) before they are varied
   * @param slotTurn largest angle in degrees by which a varied labelled image's characters are
   *     turned ({@link SampleVariation#turnSlots}); 0: never
   */
  FinetuneData(
      int length,
      InputSpec input,
      CaptchaGenerator usual,
      CaptchaGenerator newFonts,
      List<LabelledSamples.Sample> train,
      List<LabelledSamples.Sample> heldOut,
      double usualShare,
      double slotMixShare,
      double slotTurn,
      Augmenter augmenter,
      long seed,
      long validationSeed,
      int validationSize) {
    this.length = length;
    this.input = input;
    this.usual = usual;
    this.newFonts = newFonts;
    this.train = List.copyOf(train);
    this.heldOut = List.copyOf(heldOut);
    int others = (newFonts != null ? 1 : 0) + (train.isEmpty() ? 0 : 1);
    double rest = others == 0 ? 0 : (1 - usualShare) / others;
    double u = others == 0 ? 1 : usualShare;
    this.cumulativeShares = new double[] {u, u + (newFonts != null ? rest : 0), 1.0};
    this.slotMixShare = slotMixShare;
    this.slotTurn = slotTurn;
    this.slotMix = slotMixShare > 0 ? new SlotMix(train) : null;
    this.augmenter = augmenter;
    this.seed = seed;
    this.validationSeed = validationSeed;
    this.validationSize = validationSize;
  }

  /** The share of each source in the training stream, by validation-set name. */
  Map<String, Double> shares() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(TRAINING_FONTS, cumulativeShares[0]);
    if (newFonts != null) {
      m.put(NEW_FONTS, cumulativeShares[1] - cumulativeShares[0]);
    }
    if (!train.isEmpty()) {
      m.put("labelled", cumulativeShares[2] - cumulativeShares[1]);
    }
    return m;
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public Map<String, BatchSource.Batch> validation(CaptchaResNet.Spec spec) {
    int pixels = spec.height() * spec.width();
    Map<String, BatchSource.Batch> sets = new LinkedHashMap<>();
    sets.put(
        TRAINING_FONTS,
        BatchSource.make(usual, null, input.color(), validationSize, pixels, validationSeed, 0));
    if (newFonts != null) {
      sets.put(
          NEW_FONTS,
          BatchSource.make(
              newFonts, null, input.color(), validationSize, pixels, validationSeed + 1, 0));
    }
    if (!heldOut.isEmpty()) {
      sets.put(LABELLED, tensors(heldOut));
    }
    return sets;
  }

  /** The held-out labelled images as they are, through the server's preprocessing. */
  BatchSource.Batch tensors(List<LabelledSamples.Sample> samples) {
    Preprocessor pre = new Preprocessor(input);
    int item = input.itemSize();
    float[] x = new float[samples.size() * item];
    int[] y = new int[samples.size() * length];
    for (int i = 0; i < samples.size(); i++) {
      pre.toTensor(samples.get(i).image(), x, i * item);
      ImageTensors.labels(samples.get(i).text(), y, i * length);
    }
    return new BatchSource.Batch(samples.size(), x, y);
  }

  @Override
  public Batches batches(CaptchaResNet.Spec spec, int batchSize, long firstBatch) {
    return new Producer(batchSize, firstBatch);
  }

  /** Training batch {@code b} of {@code n} images. */
  BatchSource.Batch batch(long b, int n) {
    Preprocessor pre = new Preprocessor(input);
    int item = input.itemSize();
    float[] x = new float[n * item];
    int[] y = new int[n * length];
    for (int i = 0; i < n; i++) {
      long g = b * n + i;
      SplittableRandom rnd = new SplittableRandom(mix(seed, g));
      double u = rnd.nextDouble();
      BufferedImage image;
      String text;
      if (u < cumulativeShares[0] || (u < cumulativeShares[1] && newFonts != null)) {
        Captcha c = (u < cumulativeShares[0] ? usual : newFonts).generate(seed, g);
        image = c.image();
        text = c.text();
      } else {
        LabelledSamples.Sample s = train.get(rnd.nextInt(train.size()));
        image = s.image();
        text = s.text();
        if (slotMix != null && rnd.nextDouble() < slotMixShare) {
          SlotMix.Mixed m = slotMix.mix(s, rnd);
          image = m.image();
          text = m.text();
        }
        image =
            rnd.nextDouble() < VARIED_SHARE
                ? SampleVariation.vary(image, length, slotTurn, rnd)
                : image;
      }
      if (augmenter != null) {
        image = augmenter.apply(image, seed, g);
      }
      pre.toTensor(image, x, i * item);
      ImageTensors.labels(text, y, i * length);
    }
    return new BatchSource.Batch(n, x, y);
  }

  /** SplitMix64 of seed and index, so nearby indices draw unrelated sources. */
  static long mix(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + index + 0x2545F4914F6CDD1DL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Builds batches on a background thread, a few ahead of the trainer. */
  private final class Producer implements Batches {
    private final BlockingQueue<BatchSource.Batch> queue = new ArrayBlockingQueue<>(4);
    private final Thread worker;
    private volatile boolean closed;
    private volatile RuntimeException failure;

    Producer(int batchSize, long firstBatch) {
      worker =
          new Thread(
              () -> {
                try {
                  for (long b = firstBatch; !closed; b++) {
                    BatchSource.Batch batch = batch(b, batchSize);
                    while (!closed && !queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
                      // wait for the trainer to take one
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                  failure = e;
                }
              },
              "finetune-batches");
      worker.setDaemon(true);
      worker.start();
    }

    @Override
    public BatchSource.Batch next() throws InterruptedException {
      while (true) {
        BatchSource.Batch b = queue.poll(100, TimeUnit.MILLISECONDS);
        if (b != null) {
          return b;
        }
        if (failure != null) {
          throw new IllegalStateException("building training batches failed", failure);
        }
      }
    }

    @Override
    public void close() {
      closed = true;
      worker.interrupt();
    }
  }

  /**
   * Splits {@code samples} into (training, held out): every tenth of a seeded shuffle is held out.
   */
  static List<List<LabelledSamples.Sample>> split(List<LabelledSamples.Sample> samples, long seed) {
    List<LabelledSamples.Sample> shuffled = new ArrayList<>(samples);
    java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
    int held = samples.size() < 2 ? 0 : Math.max(1, samples.size() / 10);
    return List.of(
        List.copyOf(shuffled.subList(held, shuffled.size())),
        List.copyOf(shuffled.subList(0, held)));
  }
}
