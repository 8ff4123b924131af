package dev.captcha.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * The captcha reader: a small ResNet on the image's native 64x128 aspect ratio with one classifier
 * head per character position; holds references to its layers so the ONNX exporter can walk them.
 * Not thread-safe (DJL blocks are mutable during training).
 *
 * <p>Layout: a stride-2 3x3 stem, four stages of one basic residual block each (widths from {@link
 * Spec#widths}, stride 2 from the second stage on), then the head ({@link Head}): the mean over the
 * height axis and the flattened [C, W'] map, or the whole flattened [C, H', W'] map, and one linear
 * layer to {@code length x classes} logits.
 */
public final class CaptchaResNet {

  /**
   * What the linear head reads from the last feature map [C, H', W'].
   *
   * <p>{@link #MEAN_HEIGHT} averages each column over the height ([C, W'] features): compact, but a
   * feature's row is lost, and with it where a stroke ends relative to the fixed baseline, which is
   * what tells {@code l} from {@code I} or {@code o} from {@code O} in many fonts. {@link #ROWS}
   * keeps every row ([C, H', W'] features, H' times the head's weights).
   */
  public enum Head {
    MEAN_HEIGHT("mean"),
    ROWS("rows");

    private final String label;

    Head(String label) {
      this.label = label;
    }

    /** The name used on the command line and in checkpoints. */
    public String label() {
      return label;
    }

    /**
     * The head called {@code label}.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static Head of(String label) {
      for (Head h : values()) {
        if (h.label.equals(label)) {
          return h;
        }
      }
      throw new IllegalArgumentException("unknown head '" + label + "' (mean or rows)");
    }
  }

  /** Architecture hyper-parameters; immutable. */
  public record Spec(
      int channels, int height, int width, int length, int classes, int[] widths, Head head) {
    public Spec {
      java.util.Objects.requireNonNull(head, "head");
    }

    /** A network whose head reads the mean over the height ({@link Head#MEAN_HEIGHT}). */
    public Spec(int channels, int height, int width, int length, int classes, int[] widths) {
      this(channels, height, width, length, classes, widths, Head.MEAN_HEIGHT);
    }

    /** The default: 1x64x128 input, 4 positions, 62 classes, stages of 32, 64, 128, 256. */
    public static Spec standard(int length, int classes) {
      return new Spec(1, 64, 128, length, classes, new int[] {32, 64, 128, 256});
    }

    /** This network with another head. */
    public Spec withHead(Head other) {
      return new Spec(channels, height, width, length, classes, widths, other);
    }

    /** Number of features the linear head reads. */
    public long headFeatures() {
      long perRow = (long) widths[widths.length - 1] * featureWidth();
      return head == Head.ROWS ? perRow * featureHeight() : perRow;
    }

    /** Width of the feature map fed to the head (the input width divided by the total stride). */
    public int featureWidth() {
      return width >> widths.length;
    }

    /** Height of the last feature map. */
    public int featureHeight() {
      return height >> widths.length;
    }
  }

  /** A convolution followed by batch normalisation (the unit the exporter folds into one Conv). */
  public record ConvBn(Conv2d conv, BatchNorm bn, int stride, int kernel) {}

  /** A basic residual block: two 3x3 ConvBn with ReLU, plus an optional 1x1 projection shortcut. */
  public record Residual(ConvBn first, ConvBn second, ConvBn shortcut) {}

  /**
   * Epsilon of every BatchNorm layer (DJL's BatchNorm does not expose it, the exporter needs it).
   */
  public static final float BN_EPSILON = 1e-5f;

  private final Spec spec;
  private final SequentialBlock block;
  private final ConvBn stem;
  private final List<Residual> stages;
  private final Linear head;

  private CaptchaResNet(Spec spec) {
    this.spec = spec;
    this.block = new SequentialBlock();
    this.stem = convBn(spec.widths()[0], 3, 2);
    block.add(stem.conv()).add(stem.bn()).add(Activation::relu);
    List<Residual> built = new ArrayList<>();
    int in = spec.widths()[0];
    for (int i = 0; i < spec.widths().length; i++) {
      int out = spec.widths()[i];
      int stride = i == 0 ? 1 : 2;
      Residual r =
          new Residual(
              convBn(out, 3, stride),
              convBn(out, 3, 1),
              (stride != 1 || in != out) ? convBn(out, 1, stride) : null);
      built.add(r);
      block.add(residualBlock(r));
      in = out;
    }
    this.stages = List.copyOf(built);
    if (spec.head() == Head.MEAN_HEIGHT) {
      block.add(
          new LambdaBlock(
              list -> new NDList(list.singletonOrThrow().mean(new int[] {2})), "mean_h"));
    }
    long features = spec.headFeatures();
    block.add(
        new LambdaBlock(
            list -> new NDList(list.singletonOrThrow().reshape(-1, features)), "flatten"));
    this.head = Linear.builder().setUnits((long) spec.length() * spec.classes()).build();
    block.add(head);
    block.add(
        new LambdaBlock(
            list -> new NDList(list.singletonOrThrow().reshape(-1, spec.length(), spec.classes())),
            "positions"));
  }

  /** Builds the network (parameters are not initialised until the block is initialised). */
  public static CaptchaResNet create(Spec spec) {
    return new CaptchaResNet(spec);
  }

  public Spec spec() {
    return spec;
  }

  /** The DJL block to train and run: input [N, C, H, W], output [N, length, classes] logits. */
  public Block block() {
    return block;
  }

  public ConvBn stem() {
    return stem;
  }

  public List<Residual> stages() {
    return stages;
  }

  public Linear head() {
    return head;
  }

  /** The input shape for a batch of {@code n}. */
  public Shape inputShape(long n) {
    return new Shape(n, spec.channels(), spec.height(), spec.width());
  }

  private static ConvBn convBn(int filters, int kernel, int stride) {
    Conv2d conv =
        Conv2d.builder()
            .setFilters(filters)
            .setKernelShape(new Shape(kernel, kernel))
            .optStride(new Shape(stride, stride))
            .optPadding(new Shape(kernel / 2, kernel / 2))
            .optBias(false)
            .build();
    BatchNorm bn = BatchNorm.builder().optEpsilon(BN_EPSILON).optMomentum(0.9f).build();
    return new ConvBn(conv, bn, stride, kernel);
  }

  private static Block residualBlock(Residual r) {
    SequentialBlock main =
        new SequentialBlock()
            .add(r.first().conv())
            .add(r.first().bn())
            .add(Activation::relu)
            .add(r.second().conv())
            .add(r.second().bn());
    SequentialBlock shortcut = new SequentialBlock();
    if (r.shortcut() != null) {
      shortcut.add(r.shortcut().conv()).add(r.shortcut().bn());
    } else {
      shortcut.add(list -> list);
    }
    return new SequentialBlock()
        .add(
            new ParallelBlock(
                list -> {
                  NDArray sum = list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow());
                  return new NDList(sum);
                },
                List.of(main, shortcut)))
        .add(Activation::relu);
  }
}
