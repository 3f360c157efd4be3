"""Read aloud (朗读): each part of the draft has a button that has the browser's speech engine read that part's
text; in elderly mode more slowly. The speech engine is the system's: the test records what the page asks it to say
(speechSynthesis.speak, wrapped before the page loads) and lets it speak."""
import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

RECORD_SPEECH = """
window.__spoken = [];
if ("speechSynthesis" in window) {
  const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
  window.speechSynthesis.speak = (utterance) => {
    window.__spoken.push({text: utterance.text, lang: utterance.lang, rate: utterance.rate});
    speak(utterance);
  };
}
"""


def test_each_part_of_the_draft_can_be_read_aloud(open_page, live_portal):
    page = open_page(viewport=PHONE)
    page.add_init_script(RECORD_SPEECH)
    page.goto("/settings/elderly/on")
    page.goto(f"/consultations/{live_portal.consultation_id}")
    sections = page.locator("section.draft-section")
    assert page.locator("button.read-aloud").count() == sections.count() > 3  # one for each part

    part = sections.nth(3)
    heading = part.locator(".section-heading, .run-in").first.inner_text()
    part.locator(":scope > .section-actions button.read-aloud").click()
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1 and spoken[0]["lang"] == "zh-CN" and abs(spoken[0]["rate"] - 0.85) < 1e-6  # slower for elders
    text = spoken[0]["text"]
    assert text.startswith(heading.strip()[:8])
    assert "发表意见" not in text and "朗读" not in text  # the page's buttons and links are not read

    without_script = open_page(javascript=False)
    without_script.goto(f"/consultations/{live_portal.consultation_id}")
    assert without_script.locator("button.read-aloud").count() == 0  # nothing that would not work
