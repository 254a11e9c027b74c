"""What `make install` must have put on the machine; each missing piece fails loudly here."""
import shutil
import subprocess


def test_weasyprint_finds_harfbuzz_subset():
    # Without libharfbuzz-subset0 WeasyPrint subsets fonts in Python: about 7 s per font face.
    from weasyprint.text import ffi

    assert ffi.harfbuzz_subset is not None, "apt-get install libharfbuzz-subset0"


def test_a_chinese_font_is_installed():
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True).stdout
    assert "Noto Sans CJK SC" in out or "Noto Serif CJK SC" in out, "apt-get install fonts-noto-cjk"


def test_poppler_tools_are_installed_for_the_golden_tests():
    assert shutil.which("pdftotext") and shutil.which("pdftoppm"), "apt-get install poppler-utils"


def test_debian_chromium_is_installed_for_the_browser_tests():
    assert shutil.which("chromium"), "apt-get install chromium"
