package org.calmworkbench.backend.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import java.util.Map;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.model.ArModel;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.CalmBlock;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.CalmModel;
import org.calmworkbench.backend.model.FoldedEmbedProj;
import org.calmworkbench.backend.model.HeadConfig;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.train.LmPresets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The weights-per-step formulas against the parameters the built models actually have: every
 * matrix (2-D weight) a generation step multiplies with, the input token embeddings excluded (a
 * step reads only the rows of its tokens).
 */
class FlopsTest {
  @ParameterizedTest
  @CsvSource({"tiny, tiny", "laptop, laptop", "paper-m, paper"})
  void weightsPerStepCountTheMatricesOfTheBuiltModels(String lmPreset, String aePreset) {
    AutoencoderConfig ae = AePresets.get(aePreset).modelConfig(1024);
    CalmConfig c = LmPresets.get(lmPreset).calmConfig(1024, ae.patchSize(), ae.latentSize(), HeadType.ENERGY);

    // CALM: the whole model (backbone, embed_proj, head) but the input embedding table, plus the
    // decoder and the tied output projection (the encoder's embedding matrix).
    Autoencoder autoencoder = new Autoencoder(ae);
    double calm = matrices(new CalmModel(c), "transformer.embed_tokens") + matrices(autoencoder.decoder(), null)
        + (double) ae.vocabSize() * ae.hiddenSize();
    assertEquals(calm, Flops.calmWeightsPerStepUnfolded(c, ae), 1e-6 * calm, lmPreset);
    // Generation reads embed_proj.0's weight [2H, K*H] as K table rows of 2H instead (it fits at vocab 1024).
    assertTrue(FoldedEmbedProj.fits(c));
    double folded = calm - 2.0 * c.hiddenSize() * c.patchSize() * c.hiddenSize() + c.patchSize() * 2.0 * c.hiddenSize();
    assertEquals(folded, Flops.calmWeightsPerStep(c, ae), 1e-6 * calm, lmPreset);
    calm = folded;

    Map<String, Number> settings = new java.util.HashMap<>(LmPresets.get(lmPreset).model());
    settings.put("vocab_size", 1024);
    ArConfig arConfig = ArConfig.fromMap(settings, "preset " + lmPreset);
    double ar = matrices(new ArModel(arConfig), "transformer.embed_tokens");
    assertEquals(ar, Flops.arWeightsPerStep(arConfig.backbone()), 1e-6 * ar, lmPreset);

    double bound = Flops.weightBoundSpeedup(c, ae);
    assertEquals(c.patchSize() * ar / calm, bound, 1e-9);
    assertTrue(bound > 0 && bound < c.patchSize(), "the head and decoder always cost something: " + bound);

    // A further candidate runs one head sample (not the once-per-step hidden_embd) and the decoder
    // over its K positions: more multiply-adds than the decoder has weights, since the per-token
    // matrices (its layers and the tied output projection) run K times.
    double headSample = matricesUnder(new CalmModel(c), "mlp_generator.") - (double) c.hiddenSize() * c.hiddenSize();
    double decoder = matrices(autoencoder.decoder(), null) + (double) ae.vocabSize() * ae.hiddenSize();
    assertEquals(headSample + ae.patchSize() * Flops.decoderParamsPerToken(ae), Flops.calmCandidateMacs(c, ae), 1e-6 * calm);
    assertTrue(Flops.calmCandidateMacs(c, ae) > headSample + decoder, "K positions cost more than one");
    SamplerBound rates = new SamplerBound(1e9, 4e9);
    assertEquals(bound, rates.speedup(c, ae, 1), 1e-9);
    assertEquals(1e9 / ar, rates.arTokensPerSecond(arConfig.backbone()), 1e-9 * 1e9 / ar);
    assertEquals(c.patchSize() * ar / (calm + 63 * Flops.calmCandidateMacs(c, ae) / 4), rates.speedup(c, ae, 64), 1e-9);
  }

  @ParameterizedTest
  @CsvSource({"tiny, tiny", "laptop, laptop"})
  void flowAndDiffusionHeadsCountEveryMatrixOncePerEvaluation(String lmPreset, String aePreset) {
    AutoencoderConfig ae = AePresets.get(aePreset).modelConfig(1024);
    CalmConfig c = LmPresets.get(lmPreset).calmConfig(1024, ae.patchSize(), ae.latentSize(), HeadType.ENERGY);
    HeadConfig.Flow flow = (HeadConfig.Flow) HeadConfig.defaults(HeadType.FLOW); // 4 head samples, 10 midpoint steps
    HeadConfig.Diffusion diffusion = (HeadConfig.Diffusion) HeadConfig.defaults(HeadType.DIFFUSION); // 25 respaced steps
    CalmConfig flowConfig = c.withHead(flow);
    CalmModel flowModel = new CalmModel(flowConfig, InputMode.DISCRETE);
    double evaluation = matricesUnder(flowModel, "mlp_generator.");
    assertEquals(evaluation, Flops.adaLnEvaluationParams(c), 1e-6 * evaluation);
    assertEquals(matricesUnder(new CalmModel(c.withHead(diffusion), InputMode.DISCRETE), "mlp_generator."), evaluation,
        0.0, "both heads are the same adaLN MLP");

    assertEquals(flow.headSamples() * evaluation, Flops.headTrainingParams(flowConfig), 1e-6 * evaluation);
    assertEquals(flow.flowSteps() * 2 * evaluation, Flops.headSampleParams(flowConfig), 1e-6 * evaluation);
    HeadConfig euler = flow.with(Map.of("flow_solver", HeadConfig.EULER));
    assertEquals(flow.flowSteps() * evaluation, Flops.headSampleParams(c.withHead(euler)), 1e-6 * evaluation);
    assertEquals(diffusion.diffusionSteps() * evaluation, Flops.headSampleParams(c.withHead(diffusion)),
        1e-6 * evaluation);

    // The energy head's counts are its own matrices: hidden_embd once plus N (or one) samples.
    double energyHead = matricesUnder(new CalmModel(c), "mlp_generator.");
    assertEquals(energyHead, Flops.headSampleParams(c), 1e-6 * energyHead);

    // A 20-evaluation solver makes generation dearer than the energy head's single pass.
    assertTrue(Flops.calmInferencePerToken(flowConfig, ae, InputMode.DISCRETE)
        > Flops.calmInferencePerToken(c, ae, InputMode.DISCRETE));
    // Latent input swaps embed_proj for latent_proj; both pays for the two.
    double both = Flops.inputParams(c, InputMode.BOTH);
    assertEquals(Flops.inputParams(c, InputMode.DISCRETE) + Flops.inputParams(c, InputMode.LATENT), both, 1e-9);
    assertEquals(both, matricesUnder(new CalmModel(c, InputMode.BOTH), "embed_proj.")
        + matricesUnder(new CalmModel(c, InputMode.BOTH), "latent_proj."), 1e-6 * both);
  }

  private static double matricesUnder(CalmBlock block, String prefix) {
    double n = 0;
    for (Map.Entry<String, Parameter> e : block.namedParameters().entrySet()) {
      if (e.getValue().getShape().dimension() == 2 && e.getKey().startsWith(prefix)) {
        n += e.getValue().getShape().size();
      }
    }
    return n;
  }

  /** Scalars in the 2-D parameters of {@code block}, those whose name starts with {@code skip} left out. */
  private static double matrices(CalmBlock block, String skip) {
    double n = 0;
    for (Map.Entry<String, Parameter> e : block.namedParameters().entrySet()) {
      if (e.getValue().getShape().dimension() == 2 && (skip == null || !e.getKey().startsWith(skip))) {
        n += e.getValue().getShape().size();
      }
    }
    return n;
  }
}
