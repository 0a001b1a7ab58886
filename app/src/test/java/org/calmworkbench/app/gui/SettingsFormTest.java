package org.calmworkbench.app.gui;

import static org.calmworkbench.backend.config.Setting.doubleSetting;
import static org.calmworkbench.backend.config.Setting.intSetting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calmworkbench.app.gui.settings.SettingField;
import org.calmworkbench.app.gui.settings.SettingsForm;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.junit.jupiter.api.Test;

/** The training pages' one settings view model: field errors, the page's checks, the budget, the --set list. */
class SettingsFormTest {
  static final Setting WIDTH = intSetting("width", 1, 64, "width");
  static final Setting DEPTH = intSetting("depth", 1, 8, "depth");
  static final Setting STEPS = intSetting("steps", 0, 1000, "steps");
  static final Setting TIME = doubleSetting("time_limit", 0, 100, "time");

  /** A page whose cross-field rule is "width divisible by depth" and that may lack a checkpoint. */
  static final class Page implements SettingsForm.Checks {
    String outside = null;
    int crossChecks;

    @Override
    public List<String> outside() {
      return outside == null ? List.of() : List.of(outside);
    }

    @Override
    public void values(Map<String, Number> v) {
      crossChecks++;
      if (v.get("width").intValue() % v.get("depth").intValue() != 0) {
        throw new CalmException("width must be a multiple of depth");
      }
    }
  }

  private static SettingsForm form(Page page) {
    SettingsForm f = new SettingsForm(page);
    for (Setting s : List.of(WIDTH, DEPTH, STEPS, TIME)) {
      f.add(new SettingField(s, "cat"));
    }
    return f;
  }

  @Test
  void fillValidatesOnceAndAcceptsGoodValues() {
    Page page = new Page();
    SettingsForm f = form(page);
    f.fill(Map.of("width", 8, "depth", 2, "steps", 10, "time_limit", 0, "not_a_field", 3));
    assertTrue(f.isValid(), f.validationMessageProperty().get());
    assertEquals("", f.validationMessageProperty().get());
    assertEquals(1, page.crossChecks, "one validation for a whole fill, not one per field");
    assertEquals(8, f.values().get("width").intValue());
  }

  @Test
  void fieldErrorsComeFirstAndHideTheCrossChecks() {
    Page page = new Page();
    SettingsForm f = form(page);
    f.fill(Map.of("width", 8, "depth", 2, "steps", 10, "time_limit", 0));
    page.outside = "choose a checkpoint";
    f.field("width").textProperty().set("999");
    assertFalse(f.isValid());
    String[] lines = f.validationMessageProperty().get().split("\n");
    assertEquals(2, lines.length, f.validationMessageProperty().get());
    assertTrue(lines[0].contains("width"), lines[0]);
    assertEquals("choose a checkpoint", lines[1]);
    assertEquals(1, page.crossChecks, "the cross checks do not run on unparsable values");
  }

  @Test
  void crossFieldAndBudgetProblemsAreListed() {
    Page page = new Page();
    SettingsForm f = form(page);
    f.fill(Map.of("width", 7, "depth", 2, "steps", 0, "time_limit", 0));
    assertFalse(f.isValid());
    assertEquals("width must be a multiple of depth\nset steps or time_limit: both are 0, so training would never end",
        f.validationMessageProperty().get());
    f.field("time_limit").textProperty().set("5");
    f.field("width").textProperty().set("8");
    assertTrue(f.isValid(), f.validationMessageProperty().get());
  }

  @Test
  void outsideProblemsAreRevalidatedOnRequest() {
    Page page = new Page();
    SettingsForm f = form(page);
    f.fill(Map.of("width", 8, "depth", 2, "steps", 10, "time_limit", 0));
    page.outside = "choose a checkpoint";
    assertTrue(f.isValid(), "not re-checked until asked");
    f.validate();
    assertEquals("choose a checkpoint", f.validationMessageProperty().get());
  }

  @Test
  void setsKeepSheetOrderAndApplyReplacements() {
    SettingsForm f = form(new Page());
    f.fill(Map.of("width", 8, "depth", 2, "steps", 10, "time_limit", 1.5));
    f.field("width").textProperty().set("  16 ");
    assertEquals(List.of("width=16", "steps=10"), f.sets(List.of(STEPS, WIDTH), Map.of()));
    assertEquals(List.of("depth=4", "time_limit=1.5"), f.sets(List.of(DEPTH, TIME), Map.of("depth", "4")));
    List<String> notDepth = new ArrayList<>(f.sets(x -> x.setting() != DEPTH));
    assertEquals(List.of("width=16", "steps=10", "time_limit=1.5"), notDepth);
  }

  @Test
  void aKeyHasOneField() {
    SettingsForm f = form(new Page());
    assertThrows(IllegalArgumentException.class, () -> f.add(new SettingField(WIDTH, "again")));
    assertThrows(IllegalArgumentException.class, () -> f.field("nope"));
  }
}
