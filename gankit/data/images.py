"""In-memory image datasets and the resize / channel conversions every image source shares."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from gankit.errors import GankitError

# Luminance weights of ITU-R BT.601, the same ones PIL uses for RGB -> "L".
_LUMA = (0.299, 0.587, 0.114)
# Resizing goes through float32; chunks keep that temporary copy small for big datasets.
_RESIZE_CHUNK = 4096


def to_uint8(values: torch.Tensor) -> torch.Tensor:
    """Map floats in [-1, 1] to uint8 0..255, clamping and rounding half up."""
    # A diverged generator can emit NaN; casting NaN to uint8 is undefined,
    # so show it as mid-grey instead.
    values = torch.nan_to_num(values.detach().float(), nan=0.0)
    scaled = (values.clamp(-1.0, 1.0) + 1.0) * 127.5
    # floor(x + 0.5) rather than torch.round: round-half-to-even would send
    # 0.5-steps to different neighbours depending on parity.
    return torch.floor(scaled + 0.5).clamp(0, 255).to(torch.uint8)


def to_float(u8: torch.Tensor) -> torch.Tensor:
    """Map uint8 in [0, 255] to float32 in [-1, 1], the inverse of to_uint8."""
    return u8.float() / 127.5 - 1.0


class ImageDataset:
    """Images held in memory as uint8 (N, C, H, W), with optional labels.

    Labels are int64 class indices (N,), or with multi_label float32 0/1 attributes (N, A)
    whose names are class_names (num_classes = A). Multi-domain data (StarGAN) is this class
    with the domain index (or the attributes) as labels.
    """

    kind = "image"

    def __init__(self, images: torch.Tensor, labels: torch.Tensor | None = None,
                 num_classes: int = 0, name: str = "images", class_names: tuple[str, ...] | None = None,
                 multi_label: bool = False):
        if images.dtype != torch.uint8 or images.dim() != 4:
            raise ValueError(f"images must be uint8 (N, C, H, W), got {images.dtype} {tuple(images.shape)}")
        if labels is not None:
            labels = _checked_labels(labels, images.shape[0], multi_label)
            if multi_label:
                num_classes = labels.shape[1]
        self.images = images
        self.labels = labels
        self.multi_label = bool(multi_label)
        self.num_classes = int(num_classes) if labels is not None else 0
        self.name = name
        # What each class is called ("sneaker"), for `gankit sample --label`; the index where unnamed.
        names = tuple(class_names or ())
        self.class_names = names if len(names) == self.num_classes else tuple(str(i) for i in range(self.num_classes))

    @property
    def shape(self) -> tuple[int, int, int]:
        """The shape (C, H, W) of one image."""
        return tuple(self.images.shape[1:])

    def __len__(self) -> int:
        return self.images.shape[0]

    def __repr__(self) -> str:
        return f"ImageDataset({self.name!r}, n={len(self)}, shape={self.shape}, classes={self.num_classes})"

    @property
    def device(self) -> torch.device:
        """Where the images are held."""
        return self.images.device

    def to(self, device) -> "ImageDataset":
        """The same dataset held on `device` (uint8 there; batches are converted on the device)."""
        labels = self.labels.to(device) if self.labels is not None else None
        return ImageDataset(self.images.to(device), labels, self.num_classes, self.name, self.class_names,
                            self.multi_label)

    def sample(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Random batch by indexing (torch.randint with the given generator, with replacement): float32 (B,C,H,W) in [-1, 1] and labels (B,) (or (B, A) multi-label) or None.

        The generator must live where the images do; so does the batch.
        """
        idx = torch.randint(len(self), (batch_size,), generator=generator, device=self.images.device)
        labels = self.labels[idx] if self.labels is not None else None
        return to_float(self.images[idx]), labels

    def as_float(self, start: int = 0, end: int | None = None) -> torch.Tensor:
        """The images [start:end] as float32 in [-1, 1]."""
        return to_float(self.images[start:end])


def _checked_labels(labels: torch.Tensor, n: int, multi_label: bool) -> torch.Tensor:
    """Labels as int64 (n,), or as float32 (n, A) 0/1 attributes when multi_label."""
    if not multi_label:
        labels = labels.to(torch.int64)
        if labels.shape != (n,):
            raise ValueError(f"labels must have shape ({n},), got {tuple(labels.shape)}")
        return labels
    labels = labels.to(torch.float32)
    if labels.dim() != 2 or labels.shape[0] != n:
        raise ValueError(f"multi-label labels must have shape ({n}, A), got {tuple(labels.shape)}")
    if not bool(((labels == 0) | (labels == 1)).all()):
        raise ValueError("multi-label labels must be 0 or 1")
    return labels


def convert_channels(images: torch.Tensor, channels: int) -> torch.Tensor:
    """Convert uint8 (N, C, H, W) between grey (1) and RGB (3); RGB -> grey by luminance."""
    have = images.shape[1]
    if have == channels:
        return images
    if have == 1 and channels == 3:
        return images.expand(-1, 3, -1, -1).contiguous()
    if have == 3 and channels == 1:
        weights = torch.tensor(_LUMA, dtype=torch.float32).view(1, 3, 1, 1)
        grey = (images.float() * weights).sum(dim=1, keepdim=True)
        return grey.round().clamp(0, 255).to(torch.uint8)
    raise GankitError(f"Cannot convert images with {have} channels to {channels}; set data.channels to 1 or 3.")


def resize(images: torch.Tensor, resolution: int) -> torch.Tensor:
    """Resize uint8 (N, C, H, W) to (N, C, resolution, resolution), bilinear with antialiasing."""
    if images.shape[2] == resolution and images.shape[3] == resolution:
        return images
    out = torch.empty(images.shape[0], images.shape[1], resolution, resolution, dtype=torch.uint8)
    for start in range(0, images.shape[0], _RESIZE_CHUNK):
        chunk = images[start:start + _RESIZE_CHUNK].float()
        chunk = F.interpolate(chunk, size=(resolution, resolution), mode="bilinear",
                              align_corners=False, antialias=True)
        out[start:start + _RESIZE_CHUNK] = chunk.round().clamp(0, 255).to(torch.uint8)
    return out


def _positive_int(value, field: str, allowed: tuple[int, ...] | None = None) -> int | None:
    # YAML and command lines hand over ints; bools are ints in Python but never meant here.
    if value is None:
        return None
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    if ok and (allowed is None or value in allowed):
        return value
    want = " or ".join(map(str, allowed)) if allowed else "a positive integer"
    raise GankitError(f"data.{field}={value!r} is not valid; set it to {want} or leave it unset.")


def image_options(cfg) -> tuple[int | None, int | None, int | None]:
    """Validated (resolution, channels, limit) from a data config."""
    return (_positive_int(cfg.resolution, "resolution"),
            _positive_int(cfg.channels, "channels", (1, 3)),
            _positive_int(cfg.limit, "limit"))


def convert_images(images: torch.Tensor, channels: int | None, resolution: int | None) -> torch.Tensor:
    """uint8 (N, C, H, W) converted to `channels` and resized to `resolution` where they are set."""
    if channels is not None:
        images = convert_channels(images, channels)
    if resolution is not None:
        images = resize(images, resolution)
    return images


def cut(limit: int | None, *tensors: torch.Tensor | None) -> tuple[torch.Tensor | None, ...]:
    """The first `limit` rows of each tensor (copies, so the rest can be freed); None and short tensors pass."""
    if limit is None:
        return tensors
    return tuple(t[:limit].clone() if t is not None and limit < t.shape[0] else t for t in tensors)


def per_class(ds: ImageDataset, k: int | None, seed: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(images, labels) with k examples of each class drawn without replacement with `seed`, in class order; all
    of them when k is None. One sentence when the data have no class labels or a class has fewer than k."""
    if k is None:
        return ds.images, ds.labels
    if ds.labels is None or ds.multi_label:
        raise GankitError(f"data.per_class={k} needs images labelled with one class each; data.name={ds.name} has "
                          f"{'attributes' if ds.multi_label else 'no labels'}. Use data.limit instead.")
    gen = torch.Generator().manual_seed(seed)
    keep = []
    for c in range(ds.num_classes):
        members = (ds.labels == c).nonzero().flatten()
        if len(members) < k:
            name = ds.class_names[c] if c < len(ds.class_names) else c
            raise GankitError(f"data.per_class={k} but class {name} has {len(members)} example(s) in the "
                              f"{ds.name} data; lower data.per_class to at most {len(members)}.")
        keep.append(members[torch.randperm(len(members), generator=gen)[:k]])
    index = torch.cat(keep)
    return ds.images[index].clone(), ds.labels[index].clone()


def apply_options(ds: ImageDataset, cfg) -> ImageDataset:
    """Apply the config's per-class selection, limit, channels and resolution to a dataset (a no-op where
    already met)."""
    resolution, channels, limit = image_options(cfg)
    images, labels = per_class(ds, _positive_int(getattr(cfg, "per_class", None), "per_class"),
                               getattr(cfg, "seed", 0))
    # Cut first so the conversions only touch what is kept.
    images, labels = cut(limit, images, labels)
    images = convert_images(images, channels, resolution)
    if images is ds.images and labels is ds.labels:
        return ds
    return ImageDataset(images, labels, ds.num_classes, ds.name, ds.class_names, ds.multi_label)


def require_path(cfg, what: str) -> Path:
    """The config's data.path as a Path, or a GankitError saying what it should point at."""
    if not cfg.path:
        raise GankitError(f"data.name={cfg.name} needs a path; set data.path=<{what}>.")
    return Path(cfg.path).expanduser()


def check_split(cfg) -> str:
    """The config's split, which must be 'train' or 'test'."""
    if cfg.split not in ("train", "test"):
        raise GankitError(f"data.split={cfg.split!r} is not valid; set it to train or test.")
    return cfg.split
