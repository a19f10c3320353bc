"""扩优提质监测工具包 Kuoyou Toolkit.

County-by-county checks of China's 2023–2027 basic-education action plan
(教基〔2023〕4号) and the city plans that implement it.

Modules: ``geo`` (county boundaries), ``data`` (demo and user data),
``targets`` (policy rules with sources), ``indicators`` (computations),
``maps`` (plotly figures) and ``widgets`` (dashboards).

>>> from toolkit import data, indicators
>>> demo = data.load_demo()
>>> len(indicators.special_education(demo.counties, demo.schools))
33
"""

from .doctor import doctor  # noqa: F401 (toolkit.doctor(): what to check when a page stays blank)

__version__ = "0.1.0"


def check(data, profile="national", **kwargs):
    """Every rule of ``profile`` checked against ``data``: see :func:`toolkit.indicators.check`."""
    from .indicators import check as run

    return run(data, profile, **kwargs)
