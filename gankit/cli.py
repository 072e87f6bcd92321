"""Command line: flags -> config -> one library call per subcommand."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gankit.atomic import free_path
from gankit.errors import GankitError, os_error_sentence


def _train(args) -> None:
    from gankit import api
    from gankit.config import dump_config

    if args.dry_run:
        cfg = (api.resume_config(Path(args.resume), args.set) if isinstance(args.resume, str)
               else api.resolve(args.recipe, args.set)[0])
        print(dump_config(cfg), end="")
        return
    run_dir = api.train(args.recipe, out=args.out, overrides=args.set, resume=args.resume)
    if os.environ.get("RANK", "0") != "0":  # under torchrun, rank 0 alone says where the outputs are
        return
    last = max((run_dir / "samples").glob("step-*"), default=None)  # a family's newest picture, whatever it is
    pictures = {
        "samples": last,
        "gif": run_dir / "samples.gif", "curves": run_dir / "curves.png",
        "checkpoints": run_dir / "checkpoints", "stats": run_dir / "stats.jsonl", "report": run_dir / "report.html"}
    for label, path in pictures.items():
        if path is not None and Path(path).exists():
            print(f"{label + ':':13s}{path}")
    if last is not None and last.suffix == ".txt":  # text samples: the last ones themselves
        for line in last.read_text(encoding="utf-8").splitlines()[:8]:
            print(f"  {line}")
    print(run_dir)


def _family_arguments(args, command: str) -> dict:
    """The values of the families' own flags for `command` (None where not given); one flag a keyword."""
    values = {}
    for argument in family_arguments(command):
        given = [(flag, getattr(args, _dest(flag))) for flag in _flags(argument) if getattr(args, _dest(flag)) is not None]
        if len(given) > 1:
            raise GankitError(f"give {' or '.join(flag for flag, _ in given)}, not both.")
        values[argument.name] = given[0][1] if given else None
    return values


def _sample(args) -> None:
    from gankit import api

    run = api.load_run(args.run_dir, args.checkpoint, args.device)
    writers = run.family.writers
    if args.out is None:
        out = free_path(run.path / f"sample-step{run.step:06d}-seed{args.seed}{next(iter(writers))}")
    else:
        out = Path(args.out)
        if out.exists():
            raise GankitError(f"{out} already exists; choose another --out or remove it first.")
        if out.suffix.lower() not in writers:
            raise GankitError(f"--out {out} must end in {' or '.join(writers)} for an objective={run.cfg.objective} "
                              "run.")
        out.parent.mkdir(parents=True, exist_ok=True)
    samples, inputs = api.draw(run, args.n, args.seed, **_family_arguments(args, "sample"))
    writers[out.suffix.lower()](out, samples, inputs, run.parts)
    print(out)


def _eval(args) -> None:
    from gankit import evaluation

    weights = args.inception_weights
    common = dict(metrics=args.metrics, extractor=args.extractor, inception_weights=weights, seed=args.seed,
                  device=args.device)
    if args.out and Path(args.out).exists():
        raise GankitError(f"{args.out} already exists; choose another --out or remove it first.")
    if args.samples is not None:
        if args.run_dir is not None or args.data is None:
            raise GankitError("give either RUN_DIR, or --samples PATH with --data DATASET (e.g. --data fashion_mnist).")
        overrides = [f"data.name={args.data}"] + [s if s.startswith("data.") else f"data.{s}" for s in args.set]
        result = evaluation.evaluate_samples(args.samples, overrides, **common)
        if args.out:
            evaluation.write_metrics(Path(args.out), result)
    elif args.run_dir is None:
        raise GankitError("give a run folder to evaluate, or --samples PATH --data DATASET.")
    else:
        result = evaluation.evaluate_run(args.run_dir, n=args.n, checkpoint=args.checkpoint, **common)
    print(evaluation.format_table(result))


def _translate(args) -> None:
    from gankit.translate_files import translate_files

    written = translate_files(args.run_dir, args.input, out=args.out, checkpoint=args.checkpoint, device=args.device,
                              **_family_arguments(args, "translate"))
    print(f"{len(written)} translation{'s' if len(written) != 1 else ''} in {written[0].parent}")


def _interpolate(args) -> None:
    from gankit.interpolate import interpolate_runs

    print(interpolate_runs(args.run_a, args.run_b, args.alpha, out=args.out, checkpoint=args.checkpoint))


def _export(args) -> None:
    from gankit.export import export_run

    out = export_run(args.run_dir, args.format, out=args.out, checkpoint=args.checkpoint,
                     **_family_arguments(args, "export"))
    print(f"{out}\n{out.with_name(out.name + '.json')}")


def _report(args) -> None:
    from gankit.report import report

    print(report(args.runs, out=args.out))


def _reproduce(args) -> None:
    from gankit.reproduce import reproduce

    report = reproduce(args.name, out=args.out, scale="full" if args.full else args.scale, data=args.data,
                       resume=args.resume, only=args.only)
    print(report.summary_table())
    print(f"report:  {report.out_dir / 'report.md'}")
    print(f"results: {report.out_dir / 'results.json'}")
    print(report.out_dir)


def _recipes(args) -> None:
    from gankit.config import list_recipes

    recipes = list_recipes()
    width = max(map(len, recipes), default=0)
    for name, description in recipes.items():
        print(f"{name:{width}s}  {description}")


def _add_train(sub) -> None:
    """The `gankit train` subcommand."""
    p = sub.add_parser("train", help="train a recipe or YAML config into a run folder")
    p.add_argument("recipe", metavar="RECIPE_OR_YAML", help="a recipe name (see `gankit recipes`) or a YAML file")
    p.add_argument("--out", default="runs", help="folder that holds the numbered run folders (default: runs)")
    p.add_argument("--set", action="extend", nargs="+", default=[], metavar="KEY=VALUE",
                   help="override a config key, e.g. --set train.steps=500 (repeatable)")
    p.add_argument("--resume", nargs="?", const=True, default=False, metavar="RUN_DIR",
                   help="continue the newest run of this recipe under --out, or the given run folder")
    p.add_argument("--dry-run", action="store_true", help="print the resolved config and exit")
    p.set_defaults(func=_train)


def family_arguments(command: str) -> list:
    """The families' own arguments of `command`, one per keyword, with every family's help joined."""
    from gankit.objectives import OBJECTIVES

    merged: dict = {}
    for objective, family in OBJECTIVES.items():
        for argument in family.arguments:
            if command in argument.commands:
                merged.setdefault(argument.name, []).append((objective, argument))
    return [entries[0][1]._replace(help="; ".join(f"{objective} runs: {a.help}" for objective, a in entries))
            for entries in merged.values()]


def _flags(argument) -> tuple[str, ...]:
    return argument.flags or (f"--{argument.name}",)


def _dest(flag: str) -> str:
    return "family_" + flag.lstrip("-").replace("-", "_")


def _add_family_arguments(p, command: str) -> None:
    """Each family's own flags of `command` (Family.arguments); the run's family checks what it is given."""
    for argument in family_arguments(command):
        for flag in _flags(argument):
            p.add_argument(flag, dest=_dest(flag), default=None, metavar=argument.metavar, help=argument.help)


def _add_checkpoint(p) -> None:
    """--checkpoint, as every command that reads a run takes it."""
    p.add_argument("--checkpoint", default="latest", help="'latest', 'best' or a step number such as 2000")


def _add_sample(sub) -> None:
    """The `gankit sample` subcommand."""
    p = sub.add_parser("sample", help="draw samples from a trained run")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--n", type=int, default=None, help="number of samples (default per family: 64; 8 a class)")
    p.add_argument("--seed", type=int, default=0, help="seed of the noise (default 0)")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="a .png grid or an .npz array for image and toy runs (default: the family's first, in RUN_DIR)")
    _add_checkpoint(p)
    p.add_argument("--device", default="cpu", help="auto, cpu, cuda, cuda:N or mps (default cpu)")
    _add_family_arguments(p, "sample")
    p.set_defaults(func=_sample)


def _add_eval(sub) -> None:
    """The `gankit eval` subcommand."""
    p = sub.add_parser("eval", help="score a run (or samples from any tool) with FID, KID, IS, ...")
    p.add_argument("run_dir", nargs="?", metavar="RUN_DIR", help="a run folder; writes RUN_DIR/metrics.json")
    p.add_argument("--metrics", default=None,
                   help="comma list of metric groups, as the run's family offers them (images: fid,kid,is,pr,dc,"
                        "parzen,memorization,ppl; labelled: intra_fid,gan_test,cas; toy: modes,w1; translation); "
                        "default per family and data")
    p.add_argument("--n", type=int, default=10000, help="generated samples to score (default 10000)")
    _add_checkpoint(p)
    p.add_argument("--samples", default=None, metavar="PATH", help="score an .npz ('images' uint8 NHWC) or an image folder")
    p.add_argument("--data", default=None, metavar="DATASET", help="with --samples: the dataset to compare against")
    p.add_argument("--set", action="extend", nargs="+", default=[], metavar="KEY=VALUE", help="with --samples: data.* options, e.g. data.path=/x")
    p.add_argument("--extractor", default=None, help="feature network: fashion_mnist, digits or inception (default per data)")
    p.add_argument("--inception-weights", default=None, metavar="PATH",
                   help="pytorch-fid's pt_inception-2015-12-05-6726825d.pth (or set GANKIT_INCEPTION_WEIGHTS)")
    p.add_argument("--seed", type=int, default=0, help="seed of the noise and of KID's subsets")
    p.add_argument("--out", default=None, metavar="FILE", help="with --samples: also write the metrics as JSON here")
    p.add_argument("--device", default="cpu", help="where samples and features are computed: auto, cpu, cuda, cuda:N, mps")
    p.set_defaults(func=_eval)


def _add_translate(sub) -> None:
    """The `gankit translate` subcommand."""
    p = sub.add_parser("translate", help="translate your own images with an image-to-image run")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--input", required=True, metavar="FILE_OR_DIR", help="a PNG / JPEG file or a folder of them")
    p.add_argument("--out", default=None, metavar="DIR", help="folder for the translations (default: a new one in RUN_DIR)")
    _add_checkpoint(p)
    p.add_argument("--device", default="cpu", help="auto, cpu, cuda, cuda:N or mps (default cpu)")
    _add_family_arguments(p, "translate")
    p.set_defaults(func=_translate)


def _add_interpolate(sub) -> None:
    """The `gankit interpolate` subcommand."""
    p = sub.add_parser("interpolate", help="a new run whose generator is (1 - A) x RUN_A's + A x RUN_B's (ESRGAN)")
    p.add_argument("run_a", metavar="RUN_A", help="the run at alpha 0 (e.g. the PSNR-oriented model)")
    p.add_argument("run_b", metavar="RUN_B", help="the run at alpha 1 (e.g. the GAN fine-tuned from it)")
    p.add_argument("--alpha", required=True, metavar="A", help="the weight of RUN_B, from 0 to 1")
    p.add_argument("--out", default=None, metavar="DIR", help="folder for the new numbered run (default: RUN_A's)")
    _add_checkpoint(p)
    p.set_defaults(func=_interpolate)


def _add_export(sub) -> None:
    """The `gankit export` subcommand."""
    p = sub.add_parser("export", help="write a run's generator for use without gankit (ONNX, TorchScript, safetensors)")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--format", required=True, help="onnx, torchscript or safetensors (for gankit.load_generator)")
    p.add_argument("--out", default=None, metavar="FILE", help="where (default RUN_DIR/export/generator.SUFFIX); a "
                   "JSON of the inputs, output and labels goes beside it")
    _add_checkpoint(p)
    _add_family_arguments(p, "export")
    p.set_defaults(func=_export)


def _add_report(sub) -> None:
    """The `gankit report` subcommand."""
    p = sub.add_parser("report", help="one self-contained HTML page of runs (or an index of a folder of runs)")
    p.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run folders, or one folder of runs for an index")
    p.add_argument("--out", default=None, metavar="FILE.html", help="where (default: RUN_DIR/report.html for one "
                   "run, ./report.html for several, FOLDER/index.html for a folder of runs); never overwritten")
    p.set_defaults(func=_report)


def _add_reproduce(sub) -> None:
    """The `gankit reproduce` subcommand."""
    p = sub.add_parser("reproduce", help="re-run a classic GAN experiment and write its report")
    p.add_argument("name", metavar="NAME", help="fig1, saturation, table1, mode-collapse, wgan-meaningful-loss, dcgan, fgan, "
                   "cgan, augmentation, pix2pix, cyclegan, stargan, seqgan, text, low-data, stylegan2, srgan, nextframe")
    p.add_argument("--out", default="reproductions", help="folder for the numbered report folders")
    p.add_argument("--full", action="store_true", help="the longer, fuller version")
    p.add_argument("--data", default=None, metavar="FOLDER",
                   help="table1: a folder of MNIST IDX files to train on (default: Fashion-MNIST)")
    p.add_argument("--resume", nargs="?", const=True, default=False, metavar="FOLDER",
                   help="continue a stopped reproduction (the newest unfinished NAME under --out, or FOLDER) at the "
                        "scale it started with; its trainings go on from their last checkpoints")
    p.add_argument("--only", default=None, metavar="KEYS",
                   help="low-data: only these runs, MODEL.SUBSET.AUGMENTATION, comma-separated, * and ? as in file "
                        "names (e.g. 'stylegan2.10pct.*'), of any model and subset, at the scale's steps")
    p.add_argument("--scale", default=None, choices=("tiny", "default", "full"), help=argparse.SUPPRESS)
    p.set_defaults(func=_reproduce)


def _add_recipes(sub) -> None:
    """The `gankit recipes` subcommand."""
    p = sub.add_parser("recipes", help="list the recipes")
    p.set_defaults(func=_recipes)


def build_parser() -> argparse.ArgumentParser:
    """The `gankit` argument parser."""
    parser = argparse.ArgumentParser(prog="gankit", description="Train, evaluate and explain GANs.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_train(sub)
    _add_sample(sub)
    _add_eval(sub)
    _add_translate(sub)
    _add_interpolate(sub)
    _add_export(sub)
    _add_report(sub)
    _add_reproduce(sub)
    _add_recipes(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `gankit` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    # under torchrun each process speaks for itself: "rank 1: ..."
    who = f"rank {os.environ.get('RANK', '0')}: " if os.environ.get("WORLD_SIZE", "1") not in ("", "1") else ""
    try:
        args.func(args)
    except GankitError as exc:
        print(f"gankit: error: {who}{exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 2)
    except RuntimeError as exc:
        import torch.distributed as dist
        if not who or not isinstance(exc, dist.DistError) or os.environ.get("GANKIT_TRACEBACK"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"gankit: error: {who}lost the other training processes ({first[:200]}); the one that failed first "
              "said why above. Resume with `torchrun ... gankit train RECIPE --resume`.", file=sys.stderr)
        return 2
    except OSError as exc:  # a read-only folder, a full disk: what was written before stays intact (atomic writes)
        if os.environ.get("GANKIT_TRACEBACK"):
            raise
        print(f"gankit: error: {os_error_sentence(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gankit: interrupted; continue later with `gankit train RECIPE --resume`.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
