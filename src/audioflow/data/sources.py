"""Where a dataset's files and labels come from: a folder of class sub-folders, a list of files
or a CSV manifest; label encoding; the training/validation split (Keras' rule)."""

from __future__ import annotations

import csv
import os

import numpy as np

from audioflow._validation import check_bool, is_int, parameter_error
from audioflow.io.scan import AUDIO_EXTENSIONS, class_folders, scan_audio_files

__all__ = [
    "check_class_names",
    "check_directory_args",
    "check_file_labels",
    "check_no_empty_class",
    "directory_sources",
    "encode_labels",
    "file_list_sources",
    "split",
]


def directory_sources(directory, labels, class_names, label_mode, follow_links):
    """Files, label ids, class count and class names for :func:`audio_dataset_from_directory`."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise parameter_error("directory", "an existing directory", directory=directory)
    if labels == "inferred":
        found = class_folders(directory, follow_links)
        if class_names is not None:
            if sorted(class_names) != found:
                raise parameter_error(
                    "class_names",
                    "the names of the sub-folders of `directory`",
                    class_names=list(class_names),
                    subfolders=found,
                )
        else:
            class_names = found
        paths, label_ids = [], []
        for index, name in enumerate(class_names):
            files = scan_audio_files(os.path.join(directory, name), follow_links)
            paths += files
            label_ids += [index] * len(files)
    else:
        paths = scan_audio_files(directory, follow_links)
        label_ids = None
        if isinstance(labels, (list, tuple)):
            if len(labels) != len(paths):
                raise parameter_error(
                    "labels",
                    "a list with one label per audio file found in `directory`",
                    hint="Labels are matched to the files sorted by path.",
                    num_labels=len(labels),
                    num_files=len(paths),
                )
            label_ids = [int(label) for label in labels]
            if min(label_ids) < 0:
                raise parameter_error("labels", "non-negative integers", labels=labels)
    if not paths:
        raise parameter_error(
            "directory",
            "a folder holding audio files" + (" in its class sub-folders" if labels == "inferred" else ""),
            hint=f"Recognised extensions: {', '.join(AUDIO_EXTENSIONS)}.",
            directory=directory,
        )
    if labels is None or label_mode is None:
        label_ids = None
    num_classes = None
    if label_ids is not None:
        num_classes = len(class_names) if class_names is not None else max(label_ids) + 1
    return paths, label_ids, num_classes, class_names


def file_list_sources(files, labels, class_names, label_mode, manifest):
    """Files, label ids, class count and class names for :func:`audio_dataset` (list or CSV)."""
    if manifest:
        paths, manifest_labels, rows = _read_manifest(os.fspath(files))
        if labels is None:
            labels = manifest_labels
        elif len(labels) != len(paths):
            raise parameter_error(
                "labels", "one label per manifest row", num_labels=len(labels), num_rows=len(paths)
            )
    else:
        paths = [os.fspath(f) for f in files]
        rows = None
    if not paths:
        raise parameter_error("files", "a non-empty list of audio files", files=files)
    # Existing but not regular (a folder, a FIFO): the decoder reports it as an AudioDecodeError.
    missing = [(i, p) for i, p in enumerate(paths) if not os.path.exists(p)]
    if missing:
        where = "row" if rows else "index"
        shown = "; ".join(f"{where} {rows[i] if rows else i}: '{p}'" for i, p in missing[:5])
        more = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
        raise parameter_error(
            "files",
            "existing files",
            hint=f"Missing: {shown}{more}.",
            num_missing=len(missing),
        )

    label_ids, num_classes = None, None
    if labels is not None and label_mode is not None:
        label_ids, class_names, num_classes = encode_labels(labels, class_names)
    return paths, label_ids, num_classes, class_names


def check_class_names(class_names):
    if not isinstance(class_names, (list, tuple)) or not all(isinstance(c, str) for c in class_names):
        raise parameter_error("class_names", "a list of strings", class_names=class_names)
    if len(set(class_names)) != len(class_names):
        raise parameter_error("class_names", "unique", class_names=list(class_names))
    if not class_names:
        raise parameter_error("class_names", "non-empty", class_names=list(class_names))


def _read_manifest(path):
    if not os.path.isfile(path):
        raise parameter_error("files", "an existing CSV manifest", files=path)
    base = os.path.dirname(os.path.abspath(path))
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = [f.strip() for f in (reader.fieldnames or [])]
        if "path" not in fields:
            raise parameter_error(
                "files",
                "a CSV manifest whose header names a `path` column (and optionally `label`)",
                files=path,
                columns=fields,
            )
        reader.fieldnames = fields
        paths, labels, rows = [], [], []
        for row_number, row in enumerate(reader, start=2):
            entry = (row.get("path") or "").strip()
            if not entry:
                raise parameter_error(
                    "files", "a manifest with a path on every row", files=path, row=row_number
                )
            paths.append(entry if os.path.isabs(entry) else os.path.join(base, entry))
            rows.append(row_number)
            if "label" in fields:
                labels.append((row.get("label") or "").strip())
    if "label" not in fields:
        return paths, None, rows
    if labels and all(_looks_int(v) for v in labels):
        labels = [int(v) for v in labels]
    return paths, labels, rows


def _looks_int(value):
    try:
        int(value)
    except ValueError:
        return False
    return True


def encode_labels(labels, class_names):
    if all(isinstance(v, str) for v in labels):
        if class_names is None:
            class_names = sorted(set(labels))
        index = {name: i for i, name in enumerate(class_names)}
        unknown = sorted(set(labels) - set(index))
        if unknown:
            raise parameter_error(
                "labels",
                "names listed in `class_names`",
                hint=f"Unknown label(s): {', '.join(repr(u) for u in unknown[:10])}.",
                class_names=list(class_names),
            )
        return [index[v] for v in labels], list(class_names), len(class_names)
    ids = [int(v) for v in labels]
    upper = len(class_names) if class_names is not None else None
    bad = [v for v in ids if v < 0 or (upper is not None and v >= upper)]
    if bad:
        requirement = f"in range(0, {upper})" if upper is not None else "non-negative"
        raise parameter_error("labels", f"integers {requirement}", bad_labels=sorted(set(bad))[:10])
    num_classes = upper if upper is not None else max(ids) + 1
    return ids, (list(class_names) if class_names is not None else None), num_classes


def split(paths, label_ids, spec):
    """Keras' split: shuffle the list with ``seed`` (if shuffling), hold out the last fraction."""
    order = np.arange(len(paths))
    if spec.shuffle:
        np.random.RandomState(spec.seed).shuffle(order)
    paths = [paths[i] for i in order]
    label_ids = None if label_ids is None else [label_ids[i] for i in order]
    if spec.validation_split is None:
        return {None: (paths, label_ids)}
    num_val = int(spec.validation_split * len(paths))
    if num_val == 0 or num_val == len(paths):
        raise parameter_error(
            "validation_split",
            "a fraction that leaves both subsets non-empty",
            validation_split=spec.validation_split,
            num_files=len(paths),
        )
    cut = len(paths) - num_val
    subsets = {
        "training": (paths[:cut], None if label_ids is None else label_ids[:cut]),
        "validation": (paths[cut:], None if label_ids is None else label_ids[cut:]),
    }
    if spec.subset == "both":
        return subsets
    return {spec.subset: subsets[spec.subset]}


def check_directory_args(directory, labels, class_names, follow_links):
    if not (labels in ("inferred", None) or isinstance(labels, (list, tuple))):
        raise parameter_error("labels", '"inferred", None, or a list/tuple of integer labels', labels=labels)
    if isinstance(labels, (list, tuple)) and not all(is_int(label) for label in labels):
        raise parameter_error("labels", "a list/tuple of integers (one per file)", labels=labels)
    if class_names is not None:
        check_class_names(class_names)
        if labels != "inferred":
            raise parameter_error(
                "class_names", 'None unless labels="inferred"', class_names=class_names, labels=labels
            )
    check_bool("follow_links", follow_links)
    if not isinstance(directory, (str, os.PathLike)):
        raise parameter_error("directory", "a path", directory=directory)


def check_no_empty_class(directory, paths, class_names, follow_links):
    """A class sub-folder with no audio file is an error naming it (it would be a class never seen)."""
    counts = dict.fromkeys(class_names, 0)
    root = os.fspath(directory)
    for path in paths:
        counts[os.path.relpath(path, root).split(os.sep, 1)[0]] += 1
    empty = [name for name, count in counts.items() if count == 0]
    if empty:
        raise parameter_error(
            "directory",
            "a folder whose class sub-folders each hold at least one audio file",
            hint=f"No audio in: {', '.join(repr(os.path.join(root, name)) for name in empty)}.",
            directory=root,
        )


def check_file_labels(labels, class_names, num_files):
    if labels is not None:
        if not isinstance(labels, (list, tuple, np.ndarray)):
            raise parameter_error("labels", "None or a list with one label per file", labels=labels)
        labels = list(labels)
        if not (all(is_int(v) for v in labels) or all(isinstance(v, str) for v in labels)):
            raise parameter_error("labels", "all integers or all strings", labels=labels)
        if num_files is not None and len(labels) != num_files:
            raise parameter_error("labels", "one label per file", num_labels=len(labels), num_files=num_files)
    if class_names is not None:
        check_class_names(class_names)
    return labels
