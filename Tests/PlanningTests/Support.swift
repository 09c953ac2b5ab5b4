import Foundation
import TestSupport

@testable import SpecLanguage

/// A small catalog for tests, independent of the shipped one.
let testCatalogText = """
    catalog: 1
    species:
      - id: sr87-3P0-3D1
        description: test entry
        wavelength: {value: 2.6 um, source: test}
        linewidth: {value: 290e3 /s, source: test}
        spacing: {value: 200 nm, source: test}
        pump:
          three-level:
            decay: {value: 1.0e8 /s, source: test}
      - id: dye-test
        wavelength: {value: 573 nm, source: test}
        linewidth: {value: 1e9 /s, source: test}
        pump:
          optical:
            cross-section: {value: 1e-16 cm^2, source: test}
            wavelength: {value: 530 nm, source: test}
    """

func testCatalog() -> Catalog {
    var c = Catalog()
    c.load(bytes: Array(testCatalogText.utf8), path: "test-catalog.yaml")
    return c
}

func compile(_ text: String) -> CompileOutcome {
    SpecCompiler.compile(bytes: Array(text.utf8), path: "spec.yaml", catalog: testCatalog())
}
