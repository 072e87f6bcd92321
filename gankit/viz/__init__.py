"""Pictures of GAN training: sample grids, GIFs, loss curves and toy plots."""

from gankit.viz.curves import plot_curves, read_stats
from gankit.viz.gif import save_gif
from gankit.viz.grid import make_grid, save_grid
from gankit.viz.toy import plot_toy_1d, plot_toy_2d

__all__ = [
    "make_grid",
    "save_grid",
    "save_gif",
    "read_stats",
    "plot_curves",
    "plot_toy_1d",
    "plot_toy_2d",
]
