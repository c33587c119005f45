"""The plugin manager: hook specs, entry-point discovery, and per-provider hook dispatch."""

from __future__ import annotations

import functools
import os
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from types import FunctionType, MethodType, ModuleType
from typing import TYPE_CHECKING, Any, Callable, Optional

import pluggy

from . import hookspecs
from .errors import PluginError, ProviderNotFound
from .hookspecs import PROJECT_NAME
from .providers import Provider

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from pluggy import HookimplOpts, HookspecOpts

    # Type aliases, for annotations only (evaluated at import, a typing alias costs
    # about as much as a small module).
    # A hook's implementations for one provider, whether it is firstresult, and the
    # implementation to call directly when there is exactly one plain one.
    _Dispatch = tuple[Sequence[Any], bool, Optional[Any]]

__all__ = ["PluginLoadWarning", "PluginManager", "get_plugin_manager", "make_plugin_manager"]


#: The attributes ``@hookimpl`` and ``@hookspec`` set on the functions they mark.
_IMPL_MARK = PROJECT_NAME + "_impl"
_SPEC_MARK = PROJECT_NAME + "_spec"


class PluginLoadWarning(UserWarning):
    """An installed plugin could not be loaded; other providers keep working."""


def _env_list(name: str) -> Optional[set[str]]:
    value = os.environ.get(name)
    if value is None:
        return None
    return {_normal(part.strip()) for part in value.split(",") if part.strip()}


def _normal(name: str) -> str:
    """A package name as pip compares them: case, ``-``, ``_`` and ``.`` alike."""
    return name.lower().replace("_", "-").replace(".", "-")


#: What :func:`_module_hook_opts` answers when pluggy must decide.
_UNSURE: Any = object()


def _module_hook_opts(namespace: object, name: str, mark: str) -> Any:
    """The ``mark`` options of ``name`` in a module (None: it is no hook), read from the
    module's dict as pluggy would find them; :data:`_UNSURE` when ``namespace`` is not
    a module, or the name is a bound or static method, which pluggy handles itself."""
    if not isinstance(namespace, ModuleType):
        return _UNSURE
    value = namespace.__dict__.get(name)
    if isinstance(value, FunctionType):
        opts = value.__dict__.get(mark)
        return opts if isinstance(opts, dict) else None
    return _UNSURE if isinstance(value, (MethodType, classmethod, staticmethod)) else None


class PluginManager(pluggy.PluginManager):
    """A pluggy manager that knows which plugin registered which provider.

    A provider plugin's behaviour hooks are only called for the providers it registered,
    so dispatch cost does not grow with the number of unrelated plugins installed; a
    plugin that registers no provider is called for all of them.
    """

    def __init__(self, use_entrypoints: bool = True) -> None:
        super().__init__(PROJECT_NAME)
        self.add_hookspecs(hookspecs)
        self._lock = threading.RLock()
        self._providers: dict[str, Provider] = {}
        self._owner: dict[str, object] = {}
        self._collected: set[int] = set()
        #: (hook, provider) -> (implementations, firstresult, the one plain implementation)
        self._impls: dict[tuple[str, str], _Dispatch] = {}
        self._untraced_hookexec = self._inner_hookexec
        #: Bumped whenever what a hook call runs may change (registration, tracing), so
        #: callers may keep what :meth:`positional_impl` told them until it moves.
        self.generation = 0
        self._loaded_entrypoints: set[str] = set()
        # A manager that does not read entry points behaves as if all were loaded.
        self._all_entrypoints_loaded = not use_entrypoints
        #: Plugin name -> distribution ("oauth2-google") for plugins from entry points.
        self.distributions: dict[str, str] = {}
        #: Entry-point name -> "distribution: error" for plugins that failed to load.
        self.load_errors: dict[str, str] = {}

    # Registration ------------------------------------------------------------------
    def register(self, plugin: object, name: Optional[str] = None) -> Optional[str]:
        with self._lock:
            plugin_name = super().register(plugin, name)
            try:
                self.check_pending()
            except pluggy.PluginValidationError as exc:
                self.unregister(plugin)
                where = self.distributions.get(plugin_name or "", plugin_name)
                raise PluginError(f"plugin {where!r} is broken: {exc}") from None
            self._forget_dispatch()
            return plugin_name

    def unregister(self, plugin: object = None, name: Optional[str] = None) -> Any:
        with self._lock:
            result = super().unregister(plugin, name)
            for provider_name, owner in list(self._owner.items()):
                if owner is result:
                    del self._owner[provider_name], self._providers[provider_name]
            self._collected.discard(id(result))
            self._forget_dispatch()
            return result

    def load_entrypoints(self, only: Optional[str] = None) -> None:
        """Load installed plugins from the ``oauth2_core`` entry-point group.

        :param only: load just the entry point of this name, when there is one.
        """
        allowed = _env_list("OAUTH2_CORE_LOAD_PLUGINS")
        blocked = _env_list("OAUTH2_CORE_DISABLE_PLUGINS") or set()
        # The distribution the entry points were found in by name, if they were.
        named: Optional[str] = None
        if only is None:
            candidates = installed_entry_points()
        else:
            # Provider <name> is conventionally packaged as oauth2-<name>: asking for that
            # distribution reads one package's entry points instead of every installed
            # package's, a third of start-up cost.  Other packages are searched only if
            # it does not provide the name.
            named = f"oauth2-{only}"
            candidates = [ep for ep in installed_entry_points(named) if ep.name == only]
            if not candidates:
                named, candidates = None, installed_entry_points()
        for ep in candidates:
            if only is not None and ep.name != only:
                continue
            # Found by name, the distribution is the one asked for (its metadata's Name
            # differs at most in case and separators, and reading it costs 0.6 M
            # instructions at start-up).
            dist = named or _distribution_name(ep)
            names = {_normal(ep.name), _normal(dist)}
            if allowed is not None and not allowed & names:
                continue
            if blocked & names or ep.name in self._loaded_entrypoints:
                continue
            self._loaded_entrypoints.add(ep.name)
            try:
                module = ep.load()
            except Exception as exc:  # a broken plugin must not break the others
                self.load_errors[ep.name] = f"{dist}: {type(exc).__name__}: {exc}"
                warnings.warn(f"oauth2_core plugin {ep.name!r} from {dist} failed to load: "
                              f"{type(exc).__name__}: {exc}", PluginLoadWarning, stacklevel=2)
                continue
            self.distributions[ep.name] = dist
            if self.is_registered(module):
                continue  # a second entry point naming another provider of one module
            self.register(module, name=ep.name)
        if only is None:
            self._all_entrypoints_loaded = True

    # pluggy looks at every name in dir(plugin) (or dir(hookspecs)) without running
    # descriptors, through inspect.getattr_static.  For a module, the usual kind, the two
    # overrides below read the module's dict instead: start-up registers two plugin
    # modules and the spec module, and this takes 1.6 M instructions off it.
    def parse_hookimpl_opts(self, plugin: object, name: str) -> Optional[HookimplOpts]:
        opts = _module_hook_opts(plugin, name, _IMPL_MARK)
        return super().parse_hookimpl_opts(plugin, name) if opts is _UNSURE else opts

    def parse_hookspec_opts(self, module_or_class: Any, name: str) -> Optional[HookspecOpts]:
        opts = _module_hook_opts(module_or_class, name, _SPEC_MARK)
        return super().parse_hookspec_opts(module_or_class, name) if opts is _UNSURE else opts

    def _forget_dispatch(self) -> None:
        self._impls.clear()
        self.generation += 1

    def add_hookcall_monitoring(self, before: Any, after: Any) -> Callable[[], None]:
        # Tracing must see every call: direct calls stop while it is on.
        undo = super().add_hookcall_monitoring(before, after)
        self._forget_dispatch()

        def undo_and_forget() -> None:
            undo()
            self._forget_dispatch()

        return undo_and_forget

    # Providers -----------------------------------------------------------------------
    def _collect(self) -> None:
        for impl in self.hook.oauth2_register_providers.get_hookimpls():
            if id(impl.plugin) in self._collected:
                continue
            self._collected.add(id(impl.plugin))
            register = functools.partial(self._register_provider, impl.plugin, impl.plugin_name)
            impl.function(**{arg: register for arg in impl.argnames})
            self._forget_dispatch()  # only when a provider's owner may have changed

    def _register_provider(self, plugin: object, plugin_name: str, provider: Provider) -> None:
        if not isinstance(provider, Provider):
            raise PluginError(f"plugin {plugin_name!r} registered {provider!r}, not a Provider")
        owner = self._owner.get(provider.name)
        if owner is not None and owner is not plugin:
            raise PluginError(f"provider {provider.name!r} is registered by both "
                              f"{self.get_name(owner)!r} and {plugin_name!r}")
        self._providers[provider.name] = provider
        self._owner[provider.name] = plugin

    def providers(self) -> dict[str, Provider]:
        """Every provider of every installed plugin (imports all of them)."""
        with self._lock:
            if not self._all_entrypoints_loaded:
                self.load_entrypoints()
            self._collect()
            return dict(sorted(self._providers.items()))

    def get_provider(self, name: str) -> Provider:
        """The provider called ``name``, importing only its plugin when it can."""
        with self._lock:
            self._collect()
            if name not in self._providers and not self._all_entrypoints_loaded:
                self.load_entrypoints(only=name)
                self._collect()
                if name not in self._providers:
                    self.load_entrypoints()
                    self._collect()
            if name in self._providers:
                return self._providers[name]
            raise ProviderNotFound(self._not_found_message(name))

    def _not_found_message(self, name: str) -> str:
        installed = ", ".join(sorted(self._providers)) or "none"
        message = (f"no provider named {name!r} (installed: {installed}); "
                   f"install it with: pip install oauth2-{name}")
        if name in self.load_errors:
            message += f" (its plugin failed to load: {self.load_errors[name]})"
        return message

    def providers_of(self, plugin: object) -> list[Provider]:
        """The providers ``plugin`` registered."""
        self.providers()
        return [p for name, p in self._providers.items() if self._owner[name] is plugin]

    def package_of(self, provider_name: str) -> Optional[str]:
        """The distribution that provides ``provider_name``, if it came from one."""
        owner = self._owner.get(provider_name)
        plugin_name = self.get_name(owner) if owner is not None else None
        return self.distributions.get(plugin_name or "")

    # Dispatch ------------------------------------------------------------------------
    def call(self, hook_name: str, provider: Provider, **kwargs: Any) -> Any:
        """Call ``hook_name`` with only the implementations that apply to ``provider``."""
        dispatch = self._impls.get((hook_name, provider.name))
        if dispatch is None:
            dispatch = self._impls_for(hook_name, provider.name)
        impls, firstresult, only = dispatch
        kwargs["provider"] = provider
        if only is not None and self._inner_hookexec is self._untraced_hookexec:
            # One plain implementation and no tracing: pluggy's loop would add only its
            # own cost, a third of the library's overhead on an API call.
            try:
                args = tuple(map(kwargs.__getitem__, only.argnames))  # no Python frame
            except KeyError:
                pass  # let pluggy raise its error naming the missing argument
            else:
                result = only.function(*args)
                return result if firstresult else ([] if result is None else [result])
        # pluggy's own executor, so tracing and hook wrappers keep working.
        return self._hookexec(hook_name, impls, kwargs, firstresult)

    def positional_impl(self, hook_name: str, provider: Provider,
                        argnames: tuple[str, ...]) -> Optional[Callable[..., Any]]:
        """The function :meth:`call` would run alone for ``provider``, if it takes exactly
        ``argnames`` in that order and nothing else (tracing, wrappers) is in the way;
        else None.  Valid until :attr:`generation` changes.  For the per-request hooks:
        a direct call skips building the keyword arguments, a third of what the
        library adds to an API call."""
        dispatch = self._impls.get((hook_name, provider.name))
        if dispatch is None:
            dispatch = self._impls_for(hook_name, provider.name)
        only = dispatch[2]
        if (only is None or self._inner_hookexec is not self._untraced_hookexec
                or tuple(only.argnames) != argnames):
            return None
        function: Callable[..., Any] = only.function
        return function

    def _impls_for(self, hook_name: str, provider_name: str) -> _Dispatch:
        with self._lock:
            self._collect()
            owner = self._owner.get(provider_name)
            owners = {id(p) for p in self._owner.values()}
            caller = getattr(self.hook, hook_name)
            impls = [
                impl for impl in caller.get_hookimpls()
                if impl.plugin is owner or id(impl.plugin) not in owners
            ]
            firstresult = bool(caller.spec and caller.spec.opts.get("firstresult"))
            plain = len(impls) == 1 and not (impls[0].hookwrapper or impls[0].wrapper)
            dispatch = (impls, firstresult, impls[0] if plain else None)
            self._impls[(hook_name, provider_name)] = dispatch
            return dispatch


def _distribution_name(ep: EntryPoint) -> str:
    owner = getattr(ep, "dist", None)  # Python 3.9's EntryPoint has no .dist
    return owner.name if owner is not None else ep.name


def installed_entry_points(distribution: Optional[str] = None) -> list[EntryPoint]:
    """The installed entry points of group ``oauth2_core``: every package's, or only
    those of the ``distribution`` named (found in a ``.dist-info`` directory on
    ``sys.path``; an empty list when there is none there)."""
    from importlib.metadata import Distribution, entry_points  # costly: only when needed

    if distribution is not None:
        for path in dist_info_dirs(distribution):  # the first on sys.path wins
            dist = Distribution.at(path)
            return [ep for ep in dist.entry_points if ep.group == PROJECT_NAME]
        return []
    eps: Any = entry_points()
    if sys.version_info >= (3, 10):
        return list(eps.select(group=PROJECT_NAME))
    return list(eps.get(PROJECT_NAME, []))  # pragma: no cover - Python 3.9


def dist_info_dirs(distribution: str) -> Iterator[str]:
    """The ``.dist-info`` directories of ``distribution`` on ``sys.path``, in path order.

    Installers name them ``<name>-<version>.dist-info``, the name lower-cased with
    ``-`` and ``.`` written as ``_`` (the wheel spec), so directory listings alone find
    one package.  ``importlib.metadata.distributions(name=...)`` finds the same
    directories but makes a path object for every installed package on the way, a sixth
    of start-up cost with 30 plugins installed.  Zip files, ``.egg-info`` and names an
    old installer left in mixed case, or one in the standard library's directory, are not
    found here; the full entry-point scan that follows a miss covers them.
    """
    wanted = distribution.lower().replace("-", "_").replace(".", "_") + "-"
    # Installers put packages in site-packages, never beside the standard library:
    # listing its two directories (~280 entries) was two thirds of this search.
    stdlib = os.path.dirname(os.__file__)
    skipped = {stdlib, os.path.join(stdlib, "lib-dynload")}
    for entry in sys.path:
        directory = entry or "."
        if directory in skipped:
            continue
        try:
            listing = os.listdir(directory)
        except OSError:  # a zip file, or a directory that does not exist
            continue
        found = [name for name in listing
                 if name.startswith(wanted) and name.endswith(".dist-info")]
        yield from (os.path.join(directory, name) for name in found)


def make_plugin_manager(load_entrypoints: bool = False) -> PluginManager:
    """A fresh manager with the core's default plugins.

    :param load_entrypoints: also discover installed plugins (lazily, on first need).
        Off by default, so tests register plugins in-process: ``pm.register(module)``.
    """
    from .default_plugins import DEFAULT_PLUGINS

    pm = PluginManager(use_entrypoints=load_entrypoints)
    for plugin in DEFAULT_PLUGINS:
        pm.register(plugin)
    return pm


_global_pm: Optional[PluginManager] = None
_global_lock = threading.Lock()


def get_plugin_manager() -> PluginManager:
    """The process-wide manager; installed plugins load lazily, on first need."""
    global _global_pm
    if _global_pm is None:
        with _global_lock:
            if _global_pm is None:
                _global_pm = make_plugin_manager(load_entrypoints=True)
    return _global_pm
