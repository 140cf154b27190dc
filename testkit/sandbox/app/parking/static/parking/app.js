// release __VERSION__
document.documentElement.dataset.release = "__VERSION__";
