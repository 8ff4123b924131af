package dev.captcha.model;

import java.util.List;

/**
 * The {@code metadata_props} keys of a model file (docs/model-format.md), written by the exporter
 * and read by {@link ModelMetadata}; constants only.
 */
public final class ModelKeys {
  public static final String FORMAT = "captcha.format";
  public static final String MODEL_NAME = "captcha.model.name";
  public static final String MODEL_VERSION = "captcha.model.version";
  public static final String CHARSET = "captcha.charset";
  public static final String LENGTH = "captcha.length";
  public static final String DECODER = "captcha.decoder";
  public static final String INPUT_NAME = "captcha.input.name";
  public static final String OUTPUT_NAME = "captcha.output.name";
  public static final String INPUT_CHANNELS = "captcha.input.channels";
  public static final String INPUT_HEIGHT = "captcha.input.height";
  public static final String INPUT_WIDTH = "captcha.input.width";
  public static final String INPUT_COLOR = "captcha.input.color";
  public static final String INPUT_SCALE = "captcha.input.scale";
  public static final String INPUT_MEAN = "captcha.input.mean";
  public static final String INPUT_STD = "captcha.input.std";
  public static final String INPUT_RESIZE = "captcha.input.resize";

  public static final String TRAINING_COMMAND = "captcha.training.command";
  public static final String TRAINING_SEED = "captcha.training.seed";
  public static final String TRAINING_STEPS = "captcha.training.steps";
  public static final String TRAINING_IMAGES = "captcha.training.images";
  public static final String TRAINING_WALL_SECONDS = "captcha.training.wall_seconds";
  public static final String TRAINING_FONTS = "captcha.training.fonts";
  public static final String VALIDATION_EXACT_ACCURACY = "captcha.validation.exact_accuracy";
  public static final String VALIDATION_CHAR_ACCURACY = "captcha.validation.char_accuracy";
  public static final String VALIDATION_SIZE = "captcha.validation.size";
  public static final String VALIDATION_SEED = "captcha.validation.seed";
  public static final String CREATED = "captcha.created";

  /** Optional: the logits are divided by it before the softmax (default 1). */
  public static final String CONFIDENCE_TEMPERATURE = "captcha.confidence.temperature";

  /** Optional, informational: how the temperature was fitted. */
  public static final String CONFIDENCE_CALIBRATION = "captcha.confidence.calibration";

  /** The keys every model file must carry, in the order the exporter writes them. */
  public static final List<String> REQUIRED =
      List.of(
          FORMAT,
          MODEL_NAME,
          MODEL_VERSION,
          CHARSET,
          LENGTH,
          DECODER,
          INPUT_NAME,
          OUTPUT_NAME,
          INPUT_CHANNELS,
          INPUT_HEIGHT,
          INPUT_WIDTH,
          INPUT_COLOR,
          INPUT_SCALE,
          INPUT_MEAN,
          INPUT_STD,
          INPUT_RESIZE);

  /** The provenance keys an export from a training run writes. */
  public static final List<String> PROVENANCE =
      List.of(
          TRAINING_COMMAND,
          TRAINING_SEED,
          TRAINING_STEPS,
          TRAINING_IMAGES,
          TRAINING_WALL_SECONDS,
          TRAINING_FONTS,
          VALIDATION_EXACT_ACCURACY,
          VALIDATION_CHAR_ACCURACY,
          VALIDATION_SIZE,
          CREATED);

  /** The contract version this code writes and reads. */
  public static final String FORMAT_VERSION = "1";

  /** The only decoder: one softmax head per position. */
  public static final String DECODER_HEADS = "heads";

  /** Resize rule: bilinear stretch of both axes to the input size (format 1's first rule). */
  public static final String RESIZE_BILINEAR_STRETCH = "bilinear-stretch";

  /** Resize rule: area averaging along an axis that shrinks, bilinear along one that grows. */
  public static final String RESIZE_AREA_STRETCH = "area-stretch";

  private ModelKeys() {}
}
