"""File formats of DESIGN §5 (framework YAML/Excel, scores/units/metrics/results CSV,
rating classes YAML). No Django import: the `parindex compute` path and the Django
import services share these readers."""
