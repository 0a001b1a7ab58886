package org.calmworkbench.app.gui.pages;

import java.util.List;
import org.calmworkbench.app.gui.aetrain.AeTrainingPage;
import org.calmworkbench.app.gui.inspector.InspectorPage;
import org.calmworkbench.app.gui.project.ProjectPage;

/** The navigation, top to bottom. Adding a page is one line here. */
public final class Pages {
  private Pages() {}

  public static final String PROJECT = "Project";
  public static final String AE_TRAINING = "Autoencoder training";
  public static final String INSPECTOR = "Reconstruction inspector";

  public static final List<PageSpec> ALL = List.of(
      new PageSpec(PROJECT, "open or create a project, its corpus and statistics", ProjectPage::new),
      new PageSpec(AE_TRAINING, "train the autoencoder that turns K tokens into one vector", AeTrainingPage::new),
      new PageSpec(INSPECTOR, "see text go through the autoencoder, with noise", InspectorPage::new),
      new PageSpec(org.calmworkbench.app.gui.latent.LatentExplorerPage.TITLE, "a map of chunk latents: noise clouds and interpolation between chunks", org.calmworkbench.app.gui.latent.LatentExplorerPage::new),
      new PageSpec(org.calmworkbench.app.gui.lmtrain.LmTrainingPage.TITLE, "train a CALM language model on the autoencoder's vectors, with live BrierLM", org.calmworkbench.app.gui.lmtrain.LmTrainingPage::new),
      new PageSpec(org.calmworkbench.app.gui.generator.GeneratorPage.TITLE, "generate text from a trained CALM model, with temperature", org.calmworkbench.app.gui.generator.GeneratorPage::new),
      new PageSpec(org.calmworkbench.app.gui.runs.RunsPage.TITLE, "every run of the project, comparable side by side (TensorBoard-style)", org.calmworkbench.app.gui.runs.RunsPage::new),
      new PageSpec(org.calmworkbench.app.gui.experiments.ExperimentsPage.TITLE, "grids of CALM runs (K, head, input, seeds) against the AR baseline: BrierLM, FLOPs, steps saved", org.calmworkbench.app.gui.experiments.ExperimentsPage::new),
      new PageSpec(org.calmworkbench.app.gui.samplerlab.SamplerLabPage.TITLE, "temperature without likelihoods: the exact and batch samplers against p^(1/T)/Z", org.calmworkbench.app.gui.samplerlab.SamplerLabPage::new));
}
