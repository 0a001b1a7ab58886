package org.calmworkbench.backend.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.io.TensorSource;
import org.calmworkbench.backend.io.pytorch.TorchStateDict;
import org.calmworkbench.backend.model.AutoencoderConfig;

/**
 * A checkpoint folder's weights, whether the workbench wrote them or the official CALM code did, as
 * the tensors the workbench's models expect:
 *
 * <ul>
 *   <li>the file is {@code model.safetensors}, else {@code pytorch_model.bin} (a {@code torch.save}
 *       zip, read by {@link TorchStateDict}, which runs nothing);
 *   <li>the official autoencoder's {@code decoder.lm_head_weight} is tied to {@code
 *       encoder.embed_tokens.weight} (the workbench's decoder reads the embedding directly), so it is
 *       dropped once checked to be the same tensor;
 *   <li>the official energy model holds its head twice, as {@code mlp_generator.*} and {@code
 *       generative_head.*} (one module, two attribute names); the second copy is dropped once checked
 *       to be the same. The flow and diffusion models have only {@code generative_head.*}, which is
 *       read as the workbench's {@code mlp_generator.*};
 *   <li>the frozen autoencoder inside an official CALM file ({@code ae_model.*}) is not part of the
 *       language model; {@link #autoencoder} reads it when no autoencoder folder is found.
 * </ul>
 *
 * Tensors are read one at a time ({@link TensorSource}), so loading holds one tensor beside the model.
 */
public final class CheckpointWeights {
  private CheckpointWeights() {}

  /** The workbench's weights file, and the official one when saved with safetensors. */
  public static final String SAFETENSORS = "model.safetensors";
  /** The official training scripts' weights file ({@code --save_safetensors False}). */
  public static final String PYTORCH = "pytorch_model.bin";
  /** Where an official CALM state dict keeps its frozen autoencoder. */
  public static final String AE_PREFIX = "ae_model.";

  private static final String TIED = "decoder.lm_head_weight";
  private static final String EMBED = "encoder.embed_tokens.weight";
  private static final String HEAD = "mlp_generator.";
  private static final String HEAD_ALIAS = "generative_head.";

  /** DIR's weights file ({@code model.safetensors}, else {@code pytorch_model.bin}), if it has one. */
  public static Optional<Path> find(Path dir) {
    for (String name : List.of(SAFETENSORS, PYTORCH)) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Opens DIR's weights; close the result.
   *
   * @param kind what the folder should be, for the message ("an autoencoder", "a CALM")
   * @throws CalmException naming the folder when it has neither file
   */
  public static TensorSource open(Path dir, String kind) {
    Path file = find(dir).orElseThrow(() -> new CalmException("not " + kind + " checkpoint: neither "
        + dir.resolve(SAFETENSORS) + " nor " + dir.resolve(PYTORCH) + " exists"));
    return openFile(file);
  }

  /** A weights file by its name: {@code .safetensors}, else a torch.save archive. */
  public static TensorSource openFile(Path file) {
    return file.getFileName().toString().endsWith(".safetensors") ? Safetensors.openTensors(file)
        : TorchStateDict.open(file);
  }

  /** Whether {@code source} holds an official CALM file's frozen autoencoder ({@code ae_model.*}). */
  public static boolean hasEmbeddedAutoencoder(TensorSource source) {
    return source.names().contains(AE_PREFIX + EMBED);
  }

  /**
   * The autoencoder's tensors under the workbench's names: those of {@code source} under {@code
   * prefix} ("" for an autoencoder file, {@link #AE_PREFIX} inside a CALM file), without the tied
   * output matrix. Closing the result does not close {@code source}.
   *
   * @throws CalmException naming the file if {@code decoder.lm_head_weight} is not the embedding
   */
  public static TensorSource autoencoder(TensorSource source, String prefix) {
    Map<String, String> names = new LinkedHashMap<>();
    for (String name : source.names()) {
      if (name.startsWith(prefix)) {
        names.put(name.substring(prefix.length()), name);
      }
    }
    String tied = names.remove(TIED);
    if (tied != null) {
      String embed = names.get(EMBED);
      if (embed == null || !sameTensor(source, tied, embed)) {
        throw new CalmException(source.file() + ": " + tied + " is not tied to " + prefix + EMBED
            + "; the CALM autoencoder's output matrix is its token embedding, and this workbench has no separate one");
      }
    }
    return new Renamed(source, names);
  }

  /**
   * The language model's tensors under the workbench's names: everything but {@code ae_model.*},
   * with {@code generative_head.*} read as {@code mlp_generator.*} (dropped where both exist and
   * agree). Closing the result does not close {@code source}.
   *
   * @throws CalmException naming the file and tensor where the two copies of the head differ
   */
  public static TensorSource languageModel(TensorSource source) {
    Map<String, String> names = new LinkedHashMap<>();
    List<String> aliases = new ArrayList<>();
    for (String name : source.names()) {
      if (name.startsWith(AE_PREFIX)) {
        continue;
      }
      if (name.startsWith(HEAD_ALIAS)) {
        aliases.add(name);
      } else {
        names.put(name, name);
      }
    }
    for (String alias : aliases) {
      String own = HEAD + alias.substring(HEAD_ALIAS.length());
      String existing = names.get(own);
      if (existing == null) {
        names.put(own, alias);
      } else if (!sameTensor(source, alias, existing)) {
        throw new CalmException(source.file() + ": " + alias + " and " + existing + " differ; the official code"
            + " stores one head under both names, so this file is not one it wrote");
      }
    }
    return new Renamed(source, names);
  }

  /**
   * The architecture of the autoencoder stored under {@code prefix}, read from its tensors' shapes;
   * {@code rms_norm_eps} and the training-only settings (dropout, KL clamp and weight) take the
   * official {@code AutoencoderConfig} defaults, which the tensors cannot tell.
   *
   * @throws CalmException naming the file and the tensor that is missing or has an unexpected shape
   */
  public static AutoencoderConfig inferAutoencoderConfig(TensorSource source, String prefix) {
    int[] embed = shape(source, prefix + EMBED, 2);
    int[] gate = shape(source, prefix + "encoder.encoder_layers.0.mlp.gate_proj.weight", 2);
    int[] squeeze = shape(source, prefix + "encoder.squeeze_layer.weight", 2);
    int[] toLatent = shape(source, prefix + "encoder.hidden_to_latent.weight", 2);
    int vocab = embed[0];
    int hidden = embed[1];
    if (squeeze[1] % hidden != 0 || toLatent[0] % 2 != 0) {
      throw new CalmException(source.file() + ": " + prefix + "encoder.squeeze_layer.weight "
          + Arrays.toString(squeeze) + " or hidden_to_latent " + Arrays.toString(toLatent)
          + " does not fit a CALM autoencoder of width " + hidden);
    }
    int encoderLayers = countLayers(source, prefix + "encoder.encoder_layers.");
    int decoderLayers = countLayers(source, prefix + "decoder.decoder_layers.");
    return new AutoencoderConfig(vocab, hidden, gate[0], encoderLayers, decoderLayers, toLatent[0] / 2,
        squeeze[1] / hidden, 1e-6, 0.15, 0.5, 1e-3);
  }

  private static int[] shape(TensorSource source, String name, int dims) {
    if (!source.names().contains(name)) {
      throw new CalmException(source.file() + " has no tensor " + name + "; cannot tell the autoencoder's shape");
    }
    int[] s = source.shape(name);
    if (s.length != dims) {
      throw new CalmException(source.file() + ": tensor " + name + " has shape " + Arrays.toString(s) + ", expected "
          + dims + " dimensions");
    }
    return s;
  }

  private static int countLayers(TensorSource source, String prefix) {
    Set<Integer> layers = new TreeSet<>();
    for (String name : source.names()) {
      if (name.startsWith(prefix)) {
        String rest = name.substring(prefix.length());
        int dot = rest.indexOf('.');
        try {
          layers.add(Integer.parseInt(dot < 0 ? rest : rest.substring(0, dot)));
        } catch (NumberFormatException e) {
          throw new CalmException(source.file() + ": unexpected tensor " + name);
        }
      }
    }
    return layers.size();
  }

  /** The same tensor: one storage view in a torch file, else equal shapes and values. */
  private static boolean sameTensor(TensorSource source, String a, String b) {
    if (source instanceof TorchStateDict sd && sd.view(a).sameAs(sd.view(b))) {
      return true;
    }
    if (!Arrays.equals(source.shape(a), source.shape(b))) {
      return false;
    }
    Tensor x = source.read(a);
    Tensor y = source.read(b);
    return Arrays.equals(x.data(), y.data());
  }

  /** A view of another source under other names (new name -> the source's name). */
  private record Renamed(TensorSource source, Map<String, String> byNewName) implements TensorSource {
    @Override
    public Path file() {
      return source.file();
    }

    @Override
    public Set<String> names() {
      return byNewName.keySet();
    }

    private String original(String name) {
      String n = byNewName.get(name);
      if (n == null) {
        throw new CalmException("tensor " + name + " is missing from " + source.file());
      }
      return n;
    }

    @Override
    public int[] shape(String name) {
      return source.shape(original(name));
    }

    @Override
    public Tensor read(String name) {
      Tensor t = source.read(original(name));
      return t.name().equals(name) ? t : new Tensor(name, t.shape(), t.data());
    }

    @Override
    public void close() {
      // the underlying source belongs to the caller
    }
  }
}
