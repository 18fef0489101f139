/* Keyboard and screen-reader fixes for what the admin's theme (django-unfold) and its widgets
   (select2 autocompletes, Alpine.js controls) draw in the browser, where no template of ours
   can reach. Loaded on every admin page through settings UNFOLD["SCRIPTS"]. The README's
   "Accessibility" section lists what each part fixes; the browser tests
   (tests/browser/test_accessibility.py, test_keyboard.py) check the result with axe-core and the
   keyboard. Everything here runs again on content added later (an inline row, an opened
   select2), through one MutationObserver. */
(function () {
    "use strict";

    // Icon-only controls the theme draws, named by their icon (Material Symbols ligature).
    var ICON_NAMES = {
        "delete": "Delete this row",
        "filter_list": "Filters",
        "tune": "Filters",
        "menu": "Show or hide the sidebar",
        "dock_to_right": "Show or hide the sidebar",
        "dock_to_left": "Show or hide the sidebar",
        "close": "Close",
        "search": "Search",
        "more_horiz": "More",
        "more_vert": "More actions",
        "expand_more": "Show more",
        "unfold_more": "Open the menu",
        "dark_mode": "Dark theme",
        "light_mode": "Light theme",
        "computer": "System theme"
    };
    var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

    function text(el) {
        return (el.textContent || "").replace(/\s+/g, " ").trim();
    }

    /* Icons are ligatures: "arrow_back" read aloud as words. Hide them from screen readers;
       a control left with no name takes one from its title, or from its icon. */
    function hideIcons(root) {
        root.querySelectorAll(".material-symbols-outlined:not([data-vigil-icon])").forEach(function (icon) {
            icon.dataset.vigilIcon = "1";
            var name = ICON_NAMES[text(icon)];
            if (icon.matches("a, button, [x-on\\:click], [tabindex]")) {
                // The icon is the control itself: its name replaces the ligature.
                if (!icon.getAttribute("aria-label") && (icon.getAttribute("title") || name)) {
                    icon.setAttribute("aria-label", icon.getAttribute("title") || name);
                }
                return;
            }
            icon.setAttribute("aria-hidden", "true");
            var control = icon.closest("a, button, [role=button], [x-on\\:click]");
            if (control && !control.getAttribute("aria-label") && !visibleText(control)) {
                var wrapper = control.closest(".related-widget-wrapper");
                var field = wrapper && wrapper.querySelector("select, input");
                if (wrapper && field && labelFor(field)) {
                    // The theme's menu beside a related field: add, change, view, delete.
                    name = "Actions for " + labelFor(field);
                }
                name = control.getAttribute("title") || name;
                if (name) {
                    control.setAttribute("aria-label", name);
                }
            }
        });
    }

    function visibleText(el) {
        var copy = el.cloneNode(true);
        copy.querySelectorAll("[aria-hidden=true], .material-symbols-outlined").forEach(function (n) {
            n.remove();
        });
        return text(copy);
    }

    /* Controls the theme wires to a click only (Alpine's x-on:click on a <div> or <span>): the
       keyboard reaches them (tabindex), Enter and Space press them, and they say they are
       buttons. */
    function keyboardControls(root) {
        root.querySelectorAll("[x-on\\:click]").forEach(function (el) {
            if (el.matches(FOCUSABLE) || el.dataset.vigilKeys) {
                return;
            }
            if (el.id === "changelist-filter-close") {
                return; // the backdrop behind the filter panel: Escape and its close button do this
            }
            el.dataset.vigilKeys = "1";
            el.setAttribute("role", "button");
            el.setAttribute("tabindex", "0");
            el.addEventListener("keydown", function (event) {
                if (event.key === "Enter" || event.key === " ") {
                    event.preventDefault();
                    el.click();
                }
            });
        });
    }

    /* A field's name as its label says it: its <label for>, else (an inline row's cell) its
       column's header. */
    function labelFor(field) {
        if (!field.id) {
            return "";
        }
        var label = document.querySelector('label[for="' + CSS.escape(field.id) + '"]');
        if (label && visibleText(label)) {
            return visibleText(label).replace(/:$/, "");
        }
        var cell = field.closest("td");
        var table = cell && cell.closest("table");
        if (table) {
            var index = Array.prototype.indexOf.call(cell.parentElement.children, cell);
            var header = table.querySelectorAll("thead tr:last-child th")[index];
            if (header && visibleText(header)) {
                return visibleText(header).replace(/\*$/, "").trim();
            }
        }
        return "";
    }

    /* select2 (the autocompletes) names its combobox after the chosen value or an empty
       placeholder, and its search box not at all. Give both the field's label. */
    function nameAutocompletes(root) {
        root.querySelectorAll("select.admin-autocomplete, select[data-autocomplete-light-url], select.select2-hidden-accessible").forEach(function (select) {
            var container = select.nextElementSibling;
            if (!container || !container.classList.contains("select2")) {
                return;
            }
            var name = select.getAttribute("aria-label") || labelFor(select);
            if (!name) {
                return;
            }
            container.querySelectorAll("[role=combobox], [role=textbox], .select2-search__field").forEach(function (box) {
                box.setAttribute("aria-label", name);
                box.removeAttribute("aria-labelledby");
            });
        });
    }

    /* Inline rows' fields with no label of their own take their column's name. */
    function nameInlineFields(root) {
        root.querySelectorAll("[data-inline-type] td input:not([type=hidden]), [data-inline-type] td select, [data-inline-type] td textarea").forEach(function (field) {
            if (field.getAttribute("aria-label") || field.labels && field.labels.length) {
                return;
            }
            var name = labelFor(field);
            if (name) {
                field.setAttribute("aria-label", name);
            }
        });
    }

    /* aria-describedby naming help texts the page does not have: screen readers would read
       nothing, or fail. Keep only the ids that exist. */
    function pruneDescriptions(root) {
        root.querySelectorAll("[aria-describedby]").forEach(function (el) {
            var ids = el.getAttribute("aria-describedby").split(/\s+/).filter(function (id) {
                return id && document.getElementById(id);
            });
            if (ids.length) {
                el.setAttribute("aria-describedby", ids.join(" "));
            } else {
                el.removeAttribute("aria-describedby");
            }
        });
    }

    /* "Please correct the errors below": announced, and the keyboard starts from it. */
    function announceErrors() {
        var note = document.querySelector(".errornote");
        if (!note) {
            return;
        }
        note.setAttribute("role", "alert");
        note.setAttribute("tabindex", "-1");
        note.focus({preventScroll: false});
    }

    /* Django's many-to-many chooser labels its search icon with aria-label on a plain <span>,
       which ARIA does not allow: it is an image with that name. */
    function nameTooltips(root) {
        root.querySelectorAll(".help-tooltip[aria-label]:not([role]), .help-tooltip[title]:not([role])").forEach(function (el) {
            el.setAttribute("role", "img");
        });
    }

    /* An inline row's delete checkbox (drawn as a trash icon) and its column, which has no
       header text. */
    function nameDeleteBoxes(root) {
        root.querySelectorAll("td.delete input[type=checkbox]:not([aria-label])").forEach(function (box) {
            box.setAttribute("aria-label", "Delete this row");
        });
        root.querySelectorAll("[data-inline-type] thead th").forEach(function (th) {
            if (!text(th) && !th.dataset.vigilNamed) {
                var table = th.closest("table");
                var index = Array.prototype.indexOf.call(th.parentElement.children, th);
                var cell = table.querySelector("tbody tr td:nth-child(" + (index + 1) + ")");
                if (cell && cell.classList.contains("delete")) {
                    th.dataset.vigilNamed = "1";
                    th.insertAdjacentHTML("beforeend", '<span class="vigil-sr-only">Delete?</span>');
                }
            }
        });
    }

    /* The theme's other navigation landmarks (the page's tabs, its drop-down menus) are
       unnamed: screen readers list them as "navigation", "navigation", ... */
    var NAV_NAMES = {"tabs-items": "Parts of this page", "tabs-dropdown": "More parts of this page"};

    function nameNavs(root) {
        root.querySelectorAll("nav:not([aria-label]):not([aria-labelledby])").forEach(function (nav) {
            var name = NAV_NAMES[nav.id];
            if (!name && nav.id.indexOf("related-widget-wrapper-") === 0) {
                var field = document.getElementById("id_" + nav.id.slice("related-widget-wrapper-".length));
                name = "Actions for " + ((field && labelFor(field)) || "this field");
            }
            nav.setAttribute("aria-label", name || "Menu");
        });
    }

    /* simplebar (the theme's scrolling boxes) makes each a region named "scrollable content":
       several regions of one name. Each takes the name of what it scrolls. */
    function nameScrollRegions(root) {
        var n = 0;
        root.querySelectorAll(".simplebar-content-wrapper[role=region]").forEach(function (region) {
            n += 1;
            var name = region.closest("#nav-sidebar") ? "Menu items"
                : region.closest("#changelist-filter") ? "Filters"
                : region.closest("#changelist, .results") ? "List of records"
                : "Scrollable content " + n;
            region.setAttribute("aria-label", name);
        });
    }

    function fix(root) {
        nameScrollRegions(root);
        nameNavs(root);
        nameTooltips(root);
        nameDeleteBoxes(root);
        hideIcons(root);
        keyboardControls(root);
        nameAutocompletes(root);
        nameInlineFields(root);
        pruneDescriptions(root);
    }

    /* A field reached by Tab is never left under the sticky Save bar (WCAG 2.4.11): scroll it
       above the bar. */
    function keepFocusAboveSaveBar(event) {
        var bar = document.getElementById("submit-row");
        var el = event.target;
        if (!bar || !el.getBoundingClientRect || bar.contains(el)) {
            return;
        }
        var box = el.getBoundingClientRect();
        var top = bar.getBoundingClientRect().top;
        if (box.bottom > top - 8 && box.top < window.innerHeight) {
            window.scrollBy(0, box.bottom - top + 16);
        }
    }

    function start() {
        document.addEventListener("focusin", keepFocusAboveSaveBar);
        fix(document);
        var pending = false;
        new MutationObserver(function () {
            if (pending) {
                return;
            }
            pending = true;
            window.requestAnimationFrame(function () {
                pending = false;
                fix(document);
            });
        }).observe(document.body, {childList: true, subtree: true});
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
    // select2 is started by Django's autocomplete.js on jQuery's ready, which may come later.
    // The error summary takes the focus last, after any field the page focuses by itself
    // (an autofocus is applied once the page is drawn, before "load").
    window.addEventListener("load", function () {
        fix(document);
        announceErrors();
    });
})();
