import Foundation

/// One picture of a bundle as data, before it is drawn: what `SVGPlot` renders, what the CSV beside it
/// holds and what its matplotlib script redraws (`FigureExport`). Labels use the small markup of
/// `MathLabel` (`Z_Q`, `S^z`, `W/Γ`).
public struct Figure: Sendable {
    public enum Kind: Sendable { case lines, heatMap, bloch }

    public struct Axis: Sendable {
        public var label: String
        public var log = false
        /// Fixed [low, high] (nil: from the data).
        public var range: (Double, Double)?
        /// A colour bar only: a diverging map, blue below this value and red above, each side scaled to
        /// its own extreme (so a small negative region shows beside a large positive one).
        public var centre: Double?
        public init(label: String, log: Bool = false, range: (Double, Double)? = nil, centre: Double? = nil) {
            self.label = label; self.log = log; self.range = range; self.centre = centre
        }
    }

    public enum Style: String, Sendable { case solid, dashed, dotted, points }

    /// A curve: y against x, with optional standard errors drawn as a shaded ±1σ band.
    public struct Series: Sendable {
        public var label: String
        public var x: [Double]
        public var y: [Double]
        public var error: [Double]?
        public var style: Style = .solid
        /// Markers at the data points (automatic: when there are at most 80).
        public var markers: Bool?
        public init(label: String, x: [Double], y: [Double], error: [Double]? = nil, style: Style = .solid, markers: Bool? = nil) {
            self.label = label; self.x = x; self.y = y; self.error = error; self.style = style; self.markers = markers
        }
    }

    /// A colour map z[i][j] at (x[i], y[j]).
    public struct Map: Sendable {
        public var x: [Double]
        public var y: [Double]
        public var z: [[Double]]
        public var colour: Axis
        public var contours: [Double] = []
        /// The field the contour lines follow when it is not the coloured one (e.g. a coupling
        /// sampled finely from the geometry): field[i][j] at (x[i], y[j]), named by `label`; its
        /// levels are written beside the lines instead of on the colour bar.
        public var contourField: Field?
    }

    public struct Field: Sendable {
        public var x: [Double]
        public var y: [Double]
        public var z: [[Double]]
        public var label: String
    }

    /// One Bloch sphere: each dipole's Bloch vector (S⊥ cos φ, S⊥ sin φ, S^z), |S| ≤ ½.
    public struct Sphere: Sendable {
        public var label: String
        public var phi: [Double]
        public var perp: [Double]
        public var sz: [Double]
    }

    public struct ReferenceLine: Sendable {
        public enum Direction: Sendable { case horizontal, vertical }
        public var direction: Direction
        public var value: Double
        public var label: String
        /// Drawn in the colour of the series of this index (nil: grey), e.g. the threshold of one of
        /// several systems drawn in the colour of its curve.
        public var colour: Int? = nil
    }

    /// The file name without extension (`ZQ`, `point-0001-phases`).
    public var name: String
    public var title: String
    public var kind: Kind
    public var x: Axis
    public var y: Axis
    public var series: [Series] = []
    public var map: Map?
    public var spheres: [Sphere] = []
    public var references: [ReferenceLine] = []
    /// Notes printed under the plot (a series that could not be drawn and why).
    public var notes: [String] = []

    public init(name: String, title: String, kind: Kind = .lines, x: Axis, y: Axis) {
        self.name = name; self.title = title; self.kind = kind; self.x = x; self.y = y
    }

    public var svgPath: String { "figures/\(name).svg" }
}
